/**
 * JMH microbenchmarks of the PDU codec, CRC32C digests and the command path below the transport
 * (bench/jmh.sh).
 */
package org.iscsilab.benchmarks;
