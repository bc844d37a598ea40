package org.iscsilab.core.fault;

import java.util.List;

/**
 * One layer's actions in the rule language: the words that name them and how their arguments are
 * read from a rule's settings. The core brings the SCSI actions ({@link ScsiFaultActions}); a
 * transport adds its own; the rules of a target accept the actions of the layers it was given.
 */
public interface FaultActions {
    /** The action words, in the order help texts list them. */
    List<String> names();

    /**
     * The action a word of {@link #names} stands for, its arguments taken from {@code settings}.
     */
    FaultAction parse(String name, FaultSpec.Settings settings);
}
