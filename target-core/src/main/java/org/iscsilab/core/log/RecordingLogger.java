package org.iscsilab.core.log;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger that writes to the SLF4J logger it wraps and into the {@link LogRing}: lines at INFO and
 * above always, lower ones when the backend has them on. The levels the backend leaves off cost one
 * call to it, as before.
 */
final class RecordingLogger extends AbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient Logger delegate;
    private final transient LogRing ring;
    private final String shortName;

    RecordingLogger(Logger delegate, LogRing ring) {
        this.delegate = delegate;
        this.ring = ring;
        this.name = delegate.getName();
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public boolean isTraceEnabled() {
        return delegate.isTraceEnabled();
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return delegate.isTraceEnabled(marker);
    }

    @Override
    public boolean isDebugEnabled() {
        return delegate.isDebugEnabled();
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return delegate.isDebugEnabled(marker);
    }

    // INFO and above are always recorded, whatever the backend does with them
    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return RecordingLogger.class.getName();
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        if (delegate.isEnabledForLevel(level)) {
            Object[] all = arguments;
            if (throwable != null) { // SLF4J takes a last Throwable argument as the cause
                all =
                        arguments == null
                                ? new Object[1]
                                : Arrays.copyOf(arguments, arguments.length + 1);
                all[all.length - 1] = throwable;
            }
            forward(level, marker, pattern, all == null ? new Object[0] : all);
        }
        String text = MessageFormatter.basicArrayFormat(pattern, arguments);
        Map<String, String> context = MDC.getCopyOfContextMap();
        if (context != null) {
            StringBuilder sb = new StringBuilder(text);
            context.forEach(
                    (k, v) -> {
                        if (v != null && !v.isBlank()) {
                            sb.append(" [").append(k).append('=').append(v.strip()).append(']');
                        }
                    });
            text = sb.toString();
        }
        if (throwable != null) {
            text = text + " (" + throwable + ")";
        }
        ring.add(Instant.now(), level.name(), shortName, text);
    }

    private void forward(Level level, Marker marker, String pattern, Object[] all) {
        switch (level) {
            case TRACE -> delegate.trace(marker, pattern, all);
            case DEBUG -> delegate.debug(marker, pattern, all);
            case INFO -> delegate.info(marker, pattern, all);
            case WARN -> delegate.warn(marker, pattern, all);
            case ERROR -> delegate.error(marker, pattern, all);
        }
    }
}
