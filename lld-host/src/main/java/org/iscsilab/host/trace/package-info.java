/**
 * A causal trace of a host's run: what each thread did, in the order it happened, exported as a
 * Chrome/Perfetto trace and a Mermaid sequence diagram.
 */
package org.iscsilab.host.trace;
