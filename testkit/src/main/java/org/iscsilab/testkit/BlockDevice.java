package org.iscsilab.testkit;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * One LUN of an iSCSI target as a disk, for tests that are not about SCSI: read and write by
 * logical block or by byte offset, flush, unmap, capacity and block size. It logs in with the
 * bundled Java initiator, takes the unit attentions a new I_T nexus gets, retries what Linux's SCSI
 * mid-layer retries, and throws a {@link ScsiCommandException} with status and sense when a command
 * still fails. {@link #execute} runs any CDB for tests that are about SCSI.
 *
 * <pre>{@code
 * try (BlockDevice disk = BlockDevice.connect(portal, "iqn.2026-01.org.iscsilab:target0", 0)) {
 *     disk.write(0, new byte[disk.blockSize()]);
 *     byte[] back = disk.read(0, 1);
 * }
 * }</pre>
 */
public final class BlockDevice implements AutoCloseable {
    /**
     * Retries of one command, as sd asks of the mid-layer for reads and writes (SD_MAX_RETRIES,
     * drivers/scsi/sd.h).
     */
    static final int MAX_RETRIES = 5;

    /** How long a command may take before it is aborted, unless {@link #commandTimeout} says. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration LOGOUT_WAIT = Duration.ofSeconds(5);

    private final IscsiInitiator initiator;
    private final InitiatorSession session;
    private final long lunField;
    private final int lun;
    private volatile long blocks;
    private volatile int blockSize;
    private volatile Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private final List<AdditionalSense> unitAttentions = new CopyOnWriteArrayList<>();

    private BlockDevice(IscsiInitiator initiator, InitiatorSession session, int lun) {
        this.initiator = initiator;
        this.session = session;
        this.lun = lun;
        this.lunField = LunAddress.encode(lun);
    }

    /**
     * Logs in to {@code iqn} at {@code portal} and opens its LUN {@code lun}: the unit attentions
     * of the new nexus are taken and the capacity read, as sd does when it attaches a disk.
     *
     * @param portal the target's portal: host and TCP port
     * @param iqn the target's iSCSI name, sent as TargetName in a normal session's login
     * @param lun the LUN to open
     * @return the open disk, with the capacity and block size READ CAPACITY(16) reported; through a
     *     port whose target port group is standby, unavailable or transitioning, without them (0)
     *     until the first I/O reads them; close it to log out
     * @throws ScsiCommandException if TEST UNIT READY or READ CAPACITY(16) still fails after the
     *     retries, e.g. NOT READY, MEDIUM NOT PRESENT on an ejected LUN
     * @throws LoginRefusedException if the target refuses the login (its status class and detail,
     *     e.g. 02/01 authentication failure)
     * @throws IllegalStateException if the login fails otherwise or the target does not answer in
     *     time
     */
    public static BlockDevice connect(InetSocketAddress portal, String iqn, int lun) {
        return connect(portal, InitiatorConfig.normal(iqn), lun);
    }

    /**
     * As {@link #connect(InetSocketAddress, String, int)}, logging in as {@code login} says (CHAP,
     * digests).
     *
     * @param portal the target's portal: host and TCP port
     * @param login the target name and how to log in to it: CHAP or mutual CHAP credentials, header
     *     and data digests
     * @param lun the LUN to open
     * @return the open disk, with the capacity and block size READ CAPACITY(16) reported; through a
     *     port whose target port group is standby, unavailable or transitioning, without them (0)
     *     until the first I/O reads them; close it to log out
     * @throws ScsiCommandException if TEST UNIT READY or READ CAPACITY(16) still fails after the
     *     retries, e.g. NOT READY, MEDIUM NOT PRESENT on an ejected LUN
     * @throws LoginRefusedException if the target refuses the login (its status class and detail,
     *     e.g. 02/01 authentication failure)
     * @throws IllegalStateException if the login fails otherwise or the target does not answer in
     *     time
     */
    public static BlockDevice connect(InetSocketAddress portal, InitiatorConfig login, int lun) {
        String iqn = login.targetName();
        IscsiInitiator initiator = new IscsiInitiator(1);
        try {
            InitiatorSession session =
                    initiator
                            .login(portal, login)
                            .get(DEFAULT_COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            BlockDevice disk = new BlockDevice(initiator, session, lun);
            if (disk.accessible()) {
                disk.readCapacity();
            }
            return disk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            initiator.close();
            throw new IllegalStateException("interrupted while connecting to " + iqn, e);
        } catch (Exception e) {
            initiator.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof LoginRefusedException refused) {
                throw refused; // the target's own answer, typed: status class and detail
            }
            throw new IllegalStateException(
                    "cannot open LUN "
                            + lun
                            + " of "
                            + iqn
                            + " at "
                            + portal
                            + ": "
                            + cause.getMessage(),
                    cause);
        }
    }

    /**
     * TEST UNIT READY, which takes the new nexus's unit attentions; false when the path's target
     * port group is not active (NOT READY, LOGICAL UNIT NOT ACCESSIBLE: 04h/0Ah transitioning, 0Bh
     * standby, 0Ch unavailable; SPC-5 §5.16.2.4): the device is opened without its capacity, as
     * Linux's sd attaches a standby path with capacity 0.
     */
    private boolean accessible() {
        try {
            command("TEST UNIT READY", Cdbs.testUnitReady(), null, 0);
            return true;
        } catch (ScsiCommandException e) {
            if (e.senseKey() == SenseKey.NOT_READY
                    && e.asc() == 0x04
                    && e.ascq() >= 0x0A
                    && e.ascq() <= 0x0C) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The LUN this device is.
     *
     * @return the LUN number every command of this device is addressed to
     */
    public int lun() {
        return lun;
    }

    /**
     * Logical blocks, as READ CAPACITY(16) reported them last.
     *
     * @return the number of logical blocks: the RETURNED LOGICAL BLOCK ADDRESS (the last LBA) plus
     *     one; 0 while the device, opened on a path whose target port group was not active, has not
     *     read its capacity yet (the first I/O reads it)
     */
    public long blocks() {
        return blocks;
    }

    /**
     * Bytes per logical block (512 or 4096).
     *
     * @return the LOGICAL BLOCK LENGTH IN BYTES that READ CAPACITY(16) reported last
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The medium's capacity in bytes, as READ CAPACITY(16) reported it last.
     *
     * @return {@link #blocks()} times {@link #blockSize()}
     */
    public long capacityBytes() {
        return blocks * blockSize;
    }

    /**
     * Reads {@code count} blocks from {@code lba}.
     *
     * @param lba the first logical block address to read
     * @param count the number of logical blocks to read, at least 1
     * @return the blocks' data, {@code count} times {@link #blockSize()} bytes
     * @throws IllegalArgumentException if the blocks are not all on the LUN
     * @throws ScsiCommandException if READ(16) still fails after the retries, e.g. MEDIUM ERROR,
     *     UNRECOVERED READ ERROR (03/11/00)
     */
    public byte[] read(long lba, int count) {
        requireRange(lba, count);
        return command(
                        "READ(16) LBA " + lba + " x " + count,
                        Cdbs.read16(lba, count),
                        null,
                        Math.multiplyExact(count, blockSize))
                .data();
    }

    /**
     * Writes whole blocks from {@code lba}; {@code data} is a whole number of blocks.
     *
     * @param lba the first logical block address to write
     * @param data the blocks to write with WRITE(16), a whole, non-zero number of blocks
     * @throws IllegalArgumentException if {@code data} is not a whole number of blocks or the
     *     blocks are not all on the LUN
     * @throws ScsiCommandException if WRITE(16) still fails after the retries, e.g. DATA PROTECT on
     *     a write-protected LUN
     */
    public void write(long lba, byte[] data) {
        write(lba, data, false);
    }

    /**
     * Writes whole blocks with FUA: on stable storage when this returns (SBC-4 §5.40).
     *
     * @param lba the first logical block address to write
     * @param data the blocks to write with WRITE(16) and the FUA bit set, a whole, non-zero number
     *     of blocks
     * @throws IllegalArgumentException if {@code data} is not a whole number of blocks or the
     *     blocks are not all on the LUN
     * @throws ScsiCommandException if WRITE(16) still fails after the retries
     */
    public void writeDurably(long lba, byte[] data) {
        write(lba, data, true);
    }

    private void write(long lba, byte[] data, boolean fua) {
        capacityKnown();
        if (data.length == 0 || data.length % blockSize != 0) {
            throw new IllegalArgumentException(
                    data.length + " bytes are not a whole number of " + blockSize + "-byte blocks");
        }
        int count = data.length / blockSize;
        requireRange(lba, count);
        command("WRITE(16) LBA " + lba + " x " + count, Cdbs.write16(lba, count, fua), data, 0);
    }

    /**
     * Reads {@code length} bytes at byte {@code offset}; both a multiple of the block size.
     *
     * @param offset the byte offset on the medium, a multiple of {@link #blockSize()}: the LBA
     *     times the block size
     * @param length the number of bytes to read, a multiple of {@link #blockSize()}
     * @return the {@code length} bytes, read with READ(16) of the blocks they cover
     * @throws IllegalArgumentException if offset or length is not block-aligned, or the blocks are
     *     not all on the LUN
     * @throws ScsiCommandException if READ(16) still fails after the retries
     */
    public byte[] readBytes(long offset, int length) {
        requireAligned(offset, length);
        return read(offset / blockSize, length / blockSize);
    }

    /**
     * Writes {@code data} at byte {@code offset}; offset and length a multiple of the block size.
     *
     * @param offset the byte offset on the medium, a multiple of {@link #blockSize()}: the LBA
     *     times the block size
     * @param data the bytes to write with WRITE(16), a whole, non-zero number of blocks
     * @throws IllegalArgumentException if offset or length is not block-aligned, or the blocks are
     *     not all on the LUN
     * @throws ScsiCommandException if WRITE(16) still fails after the retries
     */
    public void writeBytes(long offset, byte[] data) {
        requireAligned(offset, data.length);
        write(offset / blockSize, data);
    }

    /**
     * SYNCHRONIZE CACHE(16) of the whole medium: every write before it is on stable storage.
     *
     * @throws ScsiCommandException if SYNCHRONIZE CACHE(16) still fails after the retries
     */
    public void flush() {
        command("SYNCHRONIZE CACHE(16)", Cdbs.synchronizeCache16(), null, 0);
    }

    /**
     * UNMAP of {@code count} blocks from {@code lba} (a thin LUN reads them as zeros after).
     *
     * @param lba the first logical block address to unmap
     * @param count the number of logical blocks to unmap, at least 1, sent as UNMAP's one block
     *     descriptor
     * @throws IllegalArgumentException if the blocks are not all on the LUN
     * @throws ScsiCommandException if UNMAP still fails after the retries
     */
    public void unmap(long lba, int count) {
        requireRange(lba, count);
        byte[] parameters = Cdbs.unmapParameters(lba, count);
        command("UNMAP LBA " + lba + " x " + count, Cdbs.unmap(parameters.length), parameters, 0);
    }

    /**
     * Sets how long each command may take; a command with no answer by then is aborted and fails
     * with a {@link CommandTimeoutException}. Linux's sd gives 30 s ({@code
     * /sys/block/sdX/device/timeout}), as does {@link #DEFAULT_COMMAND_TIMEOUT}.
     *
     * @param timeout how long to wait for each command's answer; positive
     * @return this device
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public BlockDevice commandTimeout(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException(
                    "a command timeout must be positive, not " + timeout);
        }
        this.commandTimeout = timeout;
        return this;
    }

    /**
     * The unit attentions this device has taken and retried past since it connected, oldest first
     * (POWER ON OCCURRED at login, CAPACITY DATA HAS CHANGED after a resize, and so on), as a host
     * logs them.
     *
     * @return the additional sense code of each UNIT ATTENTION, a snapshot
     */
    public List<AdditionalSense> unitAttentions() {
        return List.copyOf(unitAttentions);
    }

    /**
     * Runs any CDB, with the same unit attention handling and retries; returns the result whatever
     * its status, for tests about SCSI itself.
     *
     * @param cdb the command descriptor block, operation code first (e.g. from {@code
     *     org.iscsilab.scsi.Cdbs})
     * @param dataOut the data-out buffer the command sends, or null for a command without one
     * @param dataInLength the most data-in bytes the command may return (its allocation or transfer
     *     length in bytes), 0 for none
     * @return how the command ended after the retries: SCSI status, sense data for a CHECK
     *     CONDITION, and the data-in
     */
    public ScsiResult execute(byte[] cdb, byte[] dataOut, int dataInLength) {
        return send(
                String.format("operation code %02Xh", cdb[0] & 0xFF), cdb, dataOut, dataInLength);
    }

    /**
     * Reads the capacity again, as sd revalidates a disk after CAPACITY DATA HAS CHANGED. {@link
     * #blocks()} and {@link #blockSize()} then tell the new values.
     *
     * @throws ScsiCommandException if READ CAPACITY(16) still fails after the retries
     */
    public void readCapacity() {
        ByteBuffer b =
                ByteBuffer.wrap(
                        command("READ CAPACITY(16)", Cdbs.readCapacity16(32), null, 32).data());
        blocks = b.getLong(0) + 1;
        blockSize = b.getInt(8);
    }

    /**
     * Logs out (a Logout Request closing the session, RFC 7143 §11.14, as {@code iscsiadm --logout}
     * sends) and closes the connection. A target that does not answer the logout within the command
     * timeout, at most 5 s, has its connection closed anyway.
     */
    @Override
    public void close() {
        try {
            if (session.isOpen()) {
                long wait = Math.min(commandTimeout.toMillis(), LOGOUT_WAIT.toMillis());
                session.logout().get(wait, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // no answer or no connection: closing below ends the session all the same
        } finally {
            try {
                session.close();
            } finally {
                initiator.close();
            }
        }
    }

    /** Sends a command and fails unless it ends GOOD after the retries. */
    private ScsiResult command(String what, byte[] cdb, byte[] dataOut, int dataInLength) {
        ScsiResult r = send(what, cdb, dataOut, dataInLength);
        if (!r.good()) {
            throw new ScsiCommandException(what, r);
        }
        return r;
    }

    /**
     * One command with the retries of Linux's mid-layer (scsi_decide_disposition and
     * scsi_check_sense): BUSY and TASK SET FULL are retried after a pause; a UNIT ATTENTION, NOT
     * READY "becoming ready" (04/01) and ABORTED COMMAND are retried; CAPACITY DATA HAS CHANGED
     * (2A/09) also re-reads the capacity. Everything else is the command's answer.
     */
    private ScsiResult send(String what, byte[] cdb, byte[] dataOut, int dataInLength) {
        long pauseMillis = 1;
        ScsiResult r = null;
        for (int attempt = 0; attempt <= MAX_RETRIES; attempt++) {
            r = once(what, cdb, dataOut, dataInLength);
            ScsiStatus status = ScsiStatus.fromCode(r.status());
            if (status == ScsiStatus.BUSY || status == ScsiStatus.TASK_SET_FULL) {
                pause(pauseMillis);
                pauseMillis = Math.min(100, pauseMillis * 4);
                continue;
            }
            SenseData sense = r.senseData();
            if (status != ScsiStatus.CHECK_CONDITION || sense == null) {
                return r;
            }
            if (sense.key() == SenseKey.UNIT_ATTENTION) {
                unitAttentions.add(AdditionalSense.of(sense.asc(), sense.ascq()));
                if (sense.asc() == 0x2A
                        && sense.ascq() == 0x09
                        && (cdb[0] & 0xFF) != ScsiOpcode.SERVICE_ACTION_IN_16) {
                    readCapacity();
                }
                continue;
            }
            boolean becomingReady =
                    sense.key() == SenseKey.NOT_READY
                            && sense.asc() == 0x04
                            && sense.ascq() == 0x01;
            if (becomingReady) {
                pause(pauseMillis);
                pauseMillis = Math.min(100, pauseMillis * 4);
                continue;
            }
            if (sense.key() != SenseKey.ABORTED_COMMAND) {
                return r;
            }
        }
        return r;
    }

    /**
     * One attempt. No answer within the command timeout: ABORT TASK, waited for as long, then a
     * {@link CommandTimeoutException} (the first step of Linux's error handler, scsi_abort_command;
     * the later steps, resets and session recovery, are the test's to take).
     */
    private ScsiResult once(String what, byte[] cdb, byte[] dataOut, int dataInLength) {
        Duration timeout = commandTimeout;
        InitiatorSession.Command c = session.submit(lunField, cdb, dataOut, dataInLength);
        try {
            return c.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        } catch (TimeoutException e) {
            throw new CommandTimeoutException(what, timeout, abort(c, timeout));
        } catch (Exception e) {
            Throwable cause =
                    e instanceof CompletionException || e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    what + " did not complete: " + cause.getMessage(), cause);
        }
    }

    /** Asks the target to abort a command; true when it answered within {@code timeout}. */
    private boolean abort(InitiatorSession.Command c, Duration timeout) {
        try {
            int itt = c.itt().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            session.abortTask(lunField, itt).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a command", e);
        }
    }

    private void requireRange(long lba, int count) {
        capacityKnown();
        if (lba < 0 || count <= 0 || lba + count > blocks) {
            throw new IllegalArgumentException(
                    "blocks "
                            + lba
                            + " to "
                            + (lba + count - 1)
                            + " are not on this "
                            + blocks
                            + "-block LUN");
        }
    }

    /**
     * A device opened on a path that was not accessible has no capacity yet: it is read before the
     * first I/O, which fails as the path still does (NOT READY, LOGICAL UNIT NOT ACCESSIBLE).
     */
    private void capacityKnown() {
        if (blockSize == 0) {
            readCapacity();
        }
    }

    private void requireAligned(long offset, int length) {
        capacityKnown();
        if (offset % blockSize != 0 || length % blockSize != 0) {
            throw new IllegalArgumentException(
                    "offset "
                            + offset
                            + " and length "
                            + length
                            + " must be multiples of the "
                            + blockSize
                            + "-byte block");
        }
    }
}
