package org.iscsilab.core.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the target's classes get their loggers: SLF4J's, wrapped so that what they say is also kept
 * in the {@link LogRing}.
 */
public final class TargetLog {
    private TargetLog() {}

    /**
     * The logger of a class of the target.
     *
     * @param type the class that logs; its name is the logger's, as with {@link LoggerFactory}
     * @return a logger writing to SLF4J and to {@link LogRing#instance()}
     */
    public static Logger get(Class<?> type) {
        return new RecordingLogger(LoggerFactory.getLogger(type), LogRing.instance());
    }
}
