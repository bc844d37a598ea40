/** A deterministic scheduler and explorer of interleavings for the unblock-during-unload race. */
package org.iscsilab.host.race;
