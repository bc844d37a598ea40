package org.iscsilab.core.store;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.file.Path;
import org.iscsilab.core.log.TargetLog;
import org.slf4j.Logger;

/**
 * Gives the space of a byte range of a file back to the file system: Linux fallocate(2) with
 * FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, through JNA (the JDK has no call for it), on a
 * descriptor of its own for the file. The range then reads as zeros and the file keeps its size.
 * Where the platform or the file system cannot punch holes the caller writes zeros instead.
 */
final class HolePuncher implements AutoCloseable {
    private static final Logger log = TargetLog.get(HolePuncher.class);
    private static final int O_RDWR = 0x2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int EOPNOTSUPP = 95;

    /** The C library calls used, as JNA binds them. */
    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final LibC libc;
    private final Path path;
    private final int fd;
    private volatile boolean supported = true;

    private HolePuncher(LibC libc, Path path, int fd) {
        this.libc = libc;
        this.path = path;
        this.fd = fd;
    }

    /**
     * A hole puncher for the file, or null where holes cannot be punched (not Linux, no libc
     * binding).
     */
    static HolePuncher open(Path path) {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            return new HolePuncher(libc, path, libc.open(path.toString(), O_RDWR | O_CLOEXEC));
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            log.info(
                    "{}: unmapped ranges will be written with zeros (cannot punch holes: {})",
                    path,
                    e.toString());
            return null;
        }
    }

    /**
     * Punches a hole over the range; false when this file system cannot (then, and for every later
     * call, the caller zeroes the range itself).
     */
    boolean punch(long offset, long length) {
        if (!supported) {
            return false;
        }
        try {
            libc.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EOPNOTSUPP) {
                supported = false;
                log.info(
                        "{}: the file system cannot punch holes; unmapped ranges will be written with zeros",
                        path);
            } else {
                log.warn(
                        "{}: punching a hole at {} (+{}) failed: {}",
                        path,
                        offset,
                        length,
                        e.getMessage());
            }
            return false;
        }
    }

    @Override
    public void close() {
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            log.warn("{}: close failed: {}", path, e.getMessage());
        }
    }
}
