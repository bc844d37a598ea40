/** TargetRuntime, the one place a running target is assembled, and EmbeddedTarget for tests. */
package org.iscsilab.server;
