/**
 * The load generator of iscsilab bench over the Java initiator: workloads, block-size mixes,
 * distributions, pacing, ramp, verification; per-direction latency statistics, the per-second
 * series, CPU per command, and the HTML/SVG report.
 */
package org.iscsilab.cli.bench;
