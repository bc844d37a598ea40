/**
 * The load generator of iscsilab bench: workloads, depth, sessions, ramp, verification and latency
 * percentiles over the Java initiator.
 */
package org.iscsilab.cli.bench;
