/**
 * The target's own record of its log: every logger of the target writes through SLF4J as usual and
 * also into a bounded ring in memory, so a test suite can attach what the target said during a
 * failing test whatever logging backend the suite uses (or none).
 */
package org.iscsilab.core.log;
