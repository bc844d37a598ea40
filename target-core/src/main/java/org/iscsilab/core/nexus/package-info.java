/**
 * I_T nexuses and what a unit keeps per nexus below everything else: unit attentions (SPC-5 §5.14).
 */
package org.iscsilab.core.nexus;
