package org.iscsilab.core.lu;

import org.iscsilab.core.nexus.ItNexus;

/**
 * State a logical unit keeps per I_T nexus on behalf of a command set: cleared by a logical unit
 * reset (SAM-5 §7.7) and forgotten for a nexus that is lost (SPC-5 §5.14, I_T nexus loss).
 */
public interface NexusScopedState {
    /** The unit was reset: forget every nexus's state. */
    void reset();

    /** The I_T nexus ended: forget its state. */
    void nexusLost(ItNexus nexus);
}
