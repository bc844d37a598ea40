package org.iscsilab.core.lu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.alua.AluaAdmission;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.nexus.UnitAttentions;
import org.iscsilab.core.pr.AccessClasses;
import org.iscsilab.core.pr.AptplFile;
import org.iscsilab.core.pr.Reservations;
import org.iscsilab.core.store.BackingStore;
import org.iscsilab.core.store.Snapshots;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;

/**
 * A direct-access block device (SBC-4) over a backing store. Commands complete asynchronously:
 * non-blocking stores complete on the caller's thread, blocking stores on the I/O executor.
 */
public final class LogicalUnit implements AutoCloseable {
    private static final Logger log = TargetLog.get(LogicalUnit.class);

    private final int lun;
    private final LogicalUnitIdentity identity;
    private final BackingStore store;
    private final int blockSize;
    private final UnitFormat format;
    private volatile boolean readOnly;
    private final Executor ioExecutor;
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final Reservations reservations = new Reservations(unitAttentions);
    private final RemovableMedium medium = new RemovableMedium(unitAttentions);
    private final CommandSet commands;
    private final TaskSet taskSet = new TaskSet();

    /** The queue of writes for a store that takes them one at a time; null for other stores. */
    private final SerialWrites serialWrites;

    /** Made once: a lambda per command would be an allocation per command. */
    private final Function<ScsiTask, CompletableFuture<ScsiOutcome>> performer = this::perform;

    /** State that command sets keep per unit and per I_T nexus (held copy results, for one). */
    private final Map<Class<?>, NexusScopedState> states = new ConcurrentHashMap<>();

    private volatile boolean writeCacheEnabled = true;
    private volatile boolean descriptorSense = false;
    private volatile boolean softwareWriteProtect = false;
    private volatile LunInventory inventory;
    private volatile SanitizeProgress sanitizing;
    private final ProvisioningMap provisioning;
    // the medium as it was made, for stores that can copy it (RAM, overlay): what a reset restores
    private final MediumImage initialMedium;

    /**
     * Shared by plain reads and writes, exclusive for read-modify-write commands (COMPARE AND
     * WRITE), format, snapshots and resizing. A StampedLock: taking it shared is one atomic update,
     * where a ReentrantReadWriteLock also keeps per-thread hold counts. It is not reentrant: no
     * holder takes it again (the exclusive holders reach the store directly, not through
     * MediumAccess).
     */
    private final ReadWriteLock mediumLock = new StampedLock().asReadWriteLock();

    /**
     * A unit that serves the commands of {@code commands} (see {@code
     * org.iscsilab.core.LogicalUnits} for the standard SPC/SBC set a format calls for).
     */
    public LogicalUnit(
            int lun,
            LogicalUnitIdentity identity,
            BackingStore store,
            UnitFormat format,
            CommandSet commands,
            Executor ioExecutor) {
        int blockSize = format.blockSize();
        boolean thin = format.thin();
        if (store.capacityBytes() < blockSize) {
            throw new IllegalArgumentException(
                    "a LUN needs at least one " + blockSize + "-byte block");
        }
        this.lun = lun;
        this.identity = identity;
        this.store = store;
        this.blockSize = blockSize;
        this.format = format;
        this.readOnly = format.readOnly();
        this.ioExecutor = ioExecutor;
        this.serialWrites =
                store.blocking() && store.serialWrites() ? new SerialWrites(ioExecutor) : null;
        if (thin && store.unmapper().isEmpty()) {
            throw new IllegalArgumentException(store.describe() + " cannot be thin-provisioned");
        }
        this.provisioning = thin ? new ProvisioningMap() : null;
        if (store.file().isPresent()) { // SPC-4 §5.12.5: APTPL state lives beside the image
            try {
                reservations.persistIn(AptplFile.beside(store.file().get()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        this.commands = commands;
        this.initialMedium = store.snapshots().isPresent() ? snapshotMedium() : null;
    }

    public int lun() {
        return lun;
    }

    public LogicalUnitIdentity identity() {
        return identity;
    }

    public BackingStore store() {
        return store;
    }

    public int blockSize() {
        return blockSize;
    }

    public UnitFormat format() {
        return format;
    }

    /** Number of logical blocks; a partial block at the end of the store is not addressable. */
    public long blockCount() {
        return store.capacityBytes() / blockSize;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Writes are refused: a read-only unit, or the control page's SWP bit (SPC-5 §7.5.9). */
    public boolean writeProtected() {
        return readOnly || softwareWriteProtect;
    }

    /**
     * Write-protects the unit, or lifts that, while initiators are attached. The WP bit of the mode
     * parameter header changes, so every I_T nexus gets MODE PARAMETERS CHANGED (SPC-5 §5.14).
     */
    public void setReadOnly(boolean ro) {
        if (readOnly != ro) {
            readOnly = ro;
            unitAttentions.establishForAll(AdditionalSense.MODE_PARAMETERS_CHANGED, null);
        }
    }

    /**
     * Changes the capacity while initiators are attached: every I_T nexus gets CAPACITY DATA HAS
     * CHANGED (SBC-4 §4.6). Runs under the medium's exclusive lock, so no command sees half of it.
     */
    public void resize(long newCapacityBytes) throws IOException {
        if (newCapacityBytes < blockSize) {
            throw new IllegalArgumentException(
                    "a LUN needs at least one " + blockSize + "-byte block");
        }
        Lock l = mediumLock.writeLock();
        l.lock();
        try {
            long oldBlocks = blockCount();
            store.resize(newCapacityBytes);
            long newBlocks = blockCount();
            if (provisioning != null && newBlocks < oldBlocks) {
                provisioning.unmap(newBlocks, oldBlocks - newBlocks);
            }
        } finally {
            l.unlock();
        }
        unitAttentions.establishForAll(AdditionalSense.CAPACITY_DATA_HAS_CHANGED, null);
    }

    /** A copy of the medium and, on a thin unit, of which blocks are mapped (for test suites). */
    public record MediumImage(Snapshots.Image store, Map<Long, long[]> mapped) {}

    /**
     * Copies the medium aside, under the medium's exclusive lock so no command sees half of it; for
     * stores that can (RAM, overlay), else an IllegalStateException naming the store.
     */
    public MediumImage snapshotMedium() {
        Snapshots s = snapshots();
        Lock l = mediumLock.writeLock();
        l.lock();
        try {
            return new MediumImage(s.take(), provisioning == null ? Map.of() : provisioning.copy());
        } finally {
            l.unlock();
        }
    }

    /**
     * Puts a copy taken by {@link #snapshotMedium} back. A capacity that differs raises CAPACITY
     * DATA HAS CHANGED on every I_T nexus (SBC-4 §4.6), as a resize does.
     */
    public void restoreMedium(MediumImage image) {
        Snapshots s = snapshots();
        long before = blockCount();
        Lock l = mediumLock.writeLock();
        l.lock();
        try {
            s.restore(image.store());
            if (provisioning != null) {
                provisioning.replace(image.mapped());
            }
        } finally {
            l.unlock();
        }
        if (blockCount() != before) {
            unitAttentions.establishForAll(AdditionalSense.CAPACITY_DATA_HAS_CHANGED, null);
        }
    }

    /** Whether {@link #resetMedium} can return the medium to the content it was made with. */
    public boolean resettable() {
        return initialMedium != null;
    }

    /**
     * Returns the medium to the content and capacity it was made with: a RAM unit reads as zeros
     * again, a file under an overlay as the file. CAPACITY DATA HAS CHANGED if a resize is undone.
     *
     * @throws IllegalStateException on a store whose writes cannot be undone (a plain file)
     */
    public void resetMedium() {
        if (initialMedium == null) {
            throw new IllegalStateException(
                    "LUN "
                            + lun
                            + " ("
                            + store.describe()
                            + ") cannot be reset: its writes are in the file; RAM LUNs and files"
                            + " under an overlay (file:PATH,overlay) can");
        }
        restoreMedium(initialMedium);
    }

    private Snapshots snapshots() {
        return store.snapshots()
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "LUN "
                                                + lun
                                                + " ("
                                                + store.describe()
                                                + ") cannot take snapshots; RAM LUNs and files under an"
                                                + " overlay can"));
    }

    public boolean softwareWriteProtect() {
        return softwareWriteProtect;
    }

    public void setSoftwareWriteProtect(boolean swp) {
        this.softwareWriteProtect = swp;
    }

    public boolean thin() {
        return provisioning != null;
    }

    /** The mapped-block map of a thin unit, or null when fully provisioned. */
    public ProvisioningMap provisioning() {
        return provisioning;
    }

    /** Records that a write mapped these blocks (no-op for fully provisioned units). */
    public void mapped(long lba, long blocks) {
        if (provisioning != null) {
            provisioning.map(lba, blocks);
        }
    }

    public ReadWriteLock mediumLock() {
        return mediumLock;
    }

    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void setWriteCacheEnabled(boolean enabled) {
        this.writeCacheEnabled = enabled;
    }

    public boolean descriptorSense() {
        return descriptorSense;
    }

    public void setDescriptorSense(boolean descriptor) {
        this.descriptorSense = descriptor;
    }

    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    public CommandSet commands() {
        return commands;
    }

    public Reservations reservations() {
        return reservations;
    }

    public boolean removable() {
        return format.removable();
    }

    public RemovableMedium medium() {
        return medium;
    }

    /** The target device this unit belongs to answers REPORT LUNS (SPC-5 §6.33). */
    public void attachInventory(LunInventory inventory) {
        this.inventory = inventory;
    }

    public ScsiOutcome reportLuns(ScsiTask task) {
        return inventory().reportLuns(task);
    }

    /** The target device this unit belongs to. */
    public LunInventory inventory() {
        LunInventory inv = inventory;
        if (inv == null) {
            throw new IllegalStateException("LUN " + lun + " is not part of a target device");
        }
        return inv;
    }

    /**
     * The unit's instance of a piece of per-nexus state a command set keeps (made on first use); it
     * is reset with the unit and told when an I_T nexus is lost.
     */
    public <T extends NexusScopedState> T state(Class<T> type, Supplier<T> create) {
        return type.cast(states.computeIfAbsent(type, t -> create.get()));
    }

    /**
     * Runs a sanitize operation (SBC-4 §5.23): the medium work happens at once on the I/O executor,
     * but the operation stays in progress for at least the unit's sanitize duration, as a device's
     * would. The future completes when the command's status is due: at once with IMMED.
     */
    public CompletableFuture<Void> sanitize(IoAction.Runnable work, boolean immed) {
        long nanos = format.sanitizeDuration().toNanos();
        SanitizeProgress progress =
                new SanitizeProgress(System.nanoTime(), nanos, new CompletableFuture<>());
        synchronized (this) {
            if (sanitizing != null) {
                return CompletableFuture.failedFuture(
                        new SenseException(
                                SenseData.of(
                                        SenseKey.NOT_READY, AdditionalSense.SANITIZE_IN_PROGRESS)));
            }
            sanitizing = progress;
        }
        CompletableFuture<Void> done =
                CompletableFuture.runAsync(
                                () -> {
                                    try {
                                        work.run();
                                    } catch (IOException e) {
                                        throw new CompletionException(e);
                                    }
                                },
                                ioExecutor)
                        .thenCompose(
                                v -> {
                                    long left = nanos - (System.nanoTime() - progress.startNanos());
                                    return left <= 0
                                            ? CompletableFuture.<Void>completedFuture(null)
                                            : CompletableFuture.runAsync(
                                                    () -> {},
                                                    CompletableFuture.delayedExecutor(
                                                            left, TimeUnit.NANOSECONDS));
                                })
                        .whenComplete(
                                (v, t) -> {
                                    synchronized (this) {
                                        sanitizing = null;
                                    }
                                    progress.finished().complete(null);
                                });
        return immed ? CompletableFuture.completedFuture(null) : done;
    }

    /**
     * The progress of a running sanitize, or null (SBC-4 §4.11: NOT READY, SANITIZE IN PROGRESS).
     */
    public SanitizeProgress sanitizeInProgress() {
        return sanitizing;
    }

    /**
     * Executes a command (SAM-5 §5.1): it enters the unit's task set and runs when its task
     * attribute allows. The future completes with the outcome, or with a CancellationException when
     * task management aborts the task; it never fails otherwise.
     */
    public CompletableFuture<ScsiOutcome> execute(ScsiTask task) {
        return execute(task, performer);
    }

    /**
     * Enters a task whose processing {@code process} carries out once the task set lets it start (a
     * fault action around {@link #perform}, say).
     */
    public CompletableFuture<ScsiOutcome> execute(
            ScsiTask task, Function<ScsiTask, CompletableFuture<ScsiOutcome>> process) {
        if (task.attribute() == TaskAttribute.ACA) {
            // standard INQUIRY says NORMACA 0 (SPC-5 §6.7.2): no ACA task attribute; answered as
            // LIO does
            return CompletableFuture.completedFuture(
                    checkCondition(
                            SenseData.of(
                                    SenseKey.ILLEGAL_REQUEST,
                                    AdditionalSense.INVALID_FIELD_IN_CDB)));
        }
        return taskSet.submit(task, process);
    }

    /** The unit's task set, where task management finds its tasks (SAM-5 §7). */
    public TaskSet taskSet() {
        return taskSet;
    }

    /**
     * Processes a command the task set let start: unit attentions, sanitize, reservations, the
     * medium, then its handler. Callers other than the task set go through {@link #execute}.
     */
    public CompletableFuture<ScsiOutcome> perform(ScsiTask task) {
        int opcode = task.cdb().opcode();
        // SPC-5 §5.14.2: INQUIRY, REPORT LUNS and REQUEST SENSE do not report a unit attention
        SenseData ua =
                unitAttentions.onCommand(
                        task.nexus(),
                        opcode != ScsiOpcode.INQUIRY
                                && opcode != ScsiOpcode.REPORT_LUNS
                                && opcode != ScsiOpcode.REQUEST_SENSE);
        if (ua != null) {
            return CompletableFuture.completedFuture(checkCondition(ua));
        }
        SanitizeProgress sanitize = sanitizing;
        if (sanitize != null && opcode != ScsiOpcode.INQUIRY && opcode != ScsiOpcode.REPORT_LUNS) {
            // SBC-4 §4.11: only INQUIRY, REPORT LUNS and REQUEST SENSE are served during a sanitize
            SenseData inProgress = sanitize.sense();
            if (opcode == ScsiOpcode.REQUEST_SENSE) {
                return CompletableFuture.completedFuture(
                        ScsiOutcome.dataIn(
                                inProgress.encode(task.cdb().bit(1, 0)), task.cdb().u8(4)));
            }
            return CompletableFuture.completedFuture(checkCondition(inProgress));
        }
        SenseData inaccessible = accessSense(task);
        if (inaccessible != null) {
            return CompletableFuture.completedFuture(checkCondition(inaccessible));
        }
        try {
            reservations.checkAccess(task.nexus(), AccessClasses.of(opcode));
        } catch (Reservations.ConflictException e) {
            return CompletableFuture.completedFuture(
                    ScsiOutcome.status(ScsiStatus.RESERVATION_CONFLICT));
        }
        try {
            if (format.removable() && RemovableMedium.needsMedium(opcode)) {
                medium.requirePresent();
            }
            CommandHandler handler = commands.handlerFor(task.cdb());
            if (handler == null) {
                return CompletableFuture.completedFuture(
                        checkCondition(SenseException.invalidOpcode().sense()));
            }
            checkControlByte(task);
            CompletableFuture<ScsiOutcome> outcome = handler.execute(this, task);
            if (outcome.isDone() && !outcome.isCompletedExceptionally()) {
                return outcome; // finished without error: no stage needed to map an exception
            }
            return outcome.exceptionally(t -> outcomeOf(task, t));
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(outcomeOf(task, t));
        }
    }

    /**
     * SPC-5 §5.16.2.4: the sense a command gets because of the access state of the target port it
     * came through, or null when that state admits it. After unit attentions, before reservations.
     */
    private SenseData accessSense(ScsiTask task) {
        Alua alua = alua();
        if (alua == null || alua.everyPortActive()) {
            return null; // the common case: no lock, no port name parsed
        }
        return AluaAdmission.check(alua.stateFor(task.nexus()), task.cdb());
    }

    /** The target port groups of the unit's target device, or null before it joins one. */
    public Alua alua() {
        LunInventory inv = inventory;
        return inv == null ? null : inv.alua();
    }

    /**
     * The sense REQUEST SENSE reports when no unit attention is pending: NOT READY with the reason
     * while the nexus's target port group is not accessible (SPC-5 §6.39), else null.
     */
    public SenseData notReadySense(ItNexus nexus) {
        Alua alua = alua();
        return alua == null
                ? null
                : AluaAdmission.check(
                        alua.stateFor(nexus), Cdb.of(ScsiOpcode.TEST_UNIT_READY, 0, 0, 0, 0, 0));
    }

    /**
     * The commands REPORT SUPPORTED OPERATION CODES lists: every command of the unit, without SET
     * TARGET PORT GROUPS when the target does not support explicit ALUA (its handler refuses it).
     */
    public CommandSet offeredCommands() {
        Alua alua = alua();
        if (alua != null && alua.mode().explicit()) {
            return commands;
        }
        return commands.without(
                d ->
                        d.opcode() == ScsiOpcode.MAINTENANCE_OUT
                                && d.serviceAction() == ScsiOpcode.SA_SET_TARGET_PORT_GROUPS);
    }

    /** SAM-5 §5.2: NACA and LINK are not supported; a CDB that sets them is rejected. */
    private static void checkControlByte(ScsiTask task) {
        int controlOffset = Cdb.lengthForOpcode(task.cdb().opcode()) - 1;
        int control = task.cdb().u8(controlOffset);
        if ((control & 0x04) != 0) {
            throw SenseException.invalidFieldInCdb(controlOffset, 2);
        }
        if ((control & 0x01) != 0) {
            throw SenseException.invalidFieldInCdb(controlOffset, 0);
        }
    }

    public ScsiOutcome checkCondition(SenseData sense) {
        return ScsiOutcome.checkCondition(sense, descriptorSense);
    }

    private ScsiOutcome outcomeOf(ScsiTask task, Throwable t) {
        Throwable cause =
                t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof SenseException se) {
            return checkCondition(se.sense());
        }
        if (cause instanceof CancellationException) {
            // the transport aborted the task while it waited for data-out (SAM-5 §5.8)
            return ScsiOutcome.status(ScsiStatus.TASK_ABORTED);
        }
        if (cause instanceof Reservations.ConflictException) {
            return ScsiOutcome.status(ScsiStatus.RESERVATION_CONFLICT);
        }
        if (cause instanceof IOException io) {
            log.warn("LUN {}: I/O error on {}: {}", lun, task.cdb(), io.toString());
            boolean write = isWrite(task.cdb().opcode());
            return checkCondition(
                    SenseData.of(
                            SenseKey.MEDIUM_ERROR,
                            write
                                    ? AdditionalSense.WRITE_ERROR
                                    : AdditionalSense.UNRECOVERED_READ_ERROR));
        }
        log.error("LUN {}: internal error on {}", lun, task.cdb(), cause);
        return checkCondition(
                SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE));
    }

    private static boolean isWrite(int opcode) {
        return opcode == ScsiOpcode.WRITE_6
                || opcode == ScsiOpcode.WRITE_10
                || opcode == ScsiOpcode.WRITE_12
                || opcode == ScsiOpcode.WRITE_16
                || opcode == ScsiOpcode.SYNCHRONIZE_CACHE_10
                || opcode == ScsiOpcode.SYNCHRONIZE_CACHE_16;
    }

    /** Runs long work (a copy, a sanitize) on the I/O executor whatever the store. */
    public <T> CompletableFuture<T> offload(IoAction<T> action) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return action.run();
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                },
                ioExecutor);
    }

    /** Runs store I/O: inline for non-blocking stores, on the I/O executor for blocking ones. */
    public <T> CompletableFuture<T> io(IoAction<T> action) {
        if (!store.blocking()) {
            try {
                return CompletableFuture.completedFuture(action.run());
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Supplier<T> s =
                () -> {
                    try {
                        return action.run();
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                };
        return CompletableFuture.supplyAsync(s, ioExecutor);
    }

    /**
     * Runs a write of the medium like {@link #io}, but in a queue of the unit's writes when its
     * store takes writes one at a time ({@link BackingStore#serialWrites()}): they then run in
     * arrival order on one I/O thread. Nothing slow but the write itself belongs in it (a force
     * would hold up the writes behind it): see {@link #writeThenFlush}.
     */
    public <T> CompletableFuture<T> write(IoAction<T> action) {
        return serialWrites == null ? io(action) : serialWrites.submit(action);
    }

    /**
     * A write that must be durable before status: the write in the unit's write queue, then a
     * {@link #flush}, which concurrent durable writes share; with {@code durable} false just the
     * write.
     */
    public <T> CompletableFuture<T> writeThenFlush(IoAction<T> action, boolean durable) {
        CompletableFuture<T> written = write(action);
        return durable ? written.thenCompose(result -> flush().thenApply(v -> result)) : written;
    }

    /**
     * Makes completed writes durable (SYNCHRONIZE CACHE): inline for a non-blocking store, else
     * without holding an I/O thread while the store's flush is shared with others.
     */
    public CompletableFuture<Void> flush() {
        if (!store.blocking()) {
            return io(
                    () -> {
                        store.flush();
                        return null;
                    });
        }
        return store.flushAsync(ioExecutor);
    }

    @FunctionalInterface
    public interface IoAction<T> {
        T run() throws IOException;

        /** An action without a result. */
        @FunctionalInterface
        interface Runnable {
            void run() throws IOException;
        }
    }

    /** SAM-5 §7.7 LOGICAL UNIT RESET: every I_T nexus sees BUS DEVICE RESET FUNCTION OCCURRED. */
    public void reset() {
        unitAttentions.establishForAll(AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED, null);
        reservations.reset();
        medium.reset();
        states.values().forEach(NexusScopedState::reset);
        // mode parameters return to their defaults: nothing is saved (SAM-5 §7.7 logical unit
        // reset)
        descriptorSense = false;
        softwareWriteProtect = false;
        writeCacheEnabled = true;
    }

    /**
     * The I_T nexus ended (session closed): its state is forgotten (SPC-5 §5.14: I_T nexus loss).
     */
    public void nexusLost(ItNexus nexus) {
        unitAttentions.forget(nexus);
        reservations.nexusLost(nexus);
        medium.nexusLost(nexus);
        states.values().forEach(st -> st.nexusLost(nexus));
    }

    @Override
    public void close() throws IOException {
        store.close();
    }

    @Override
    public String toString() {
        return "LUN "
                + lun
                + " ("
                + store.describe()
                + ", "
                + blockSize
                + "-byte blocks"
                + (thin() ? ", thin" : "")
                + (readOnly ? ", read-only" : "")
                + ")";
    }
}
