package org.iscsilab.core.sbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.BackingStore;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the logical unit asks its store for stable storage, and that it does so before status: FUA
 * writes (SBC-4 §5.11), SYNCHRONIZE CACHE (§5.26), every write while the write cache is off (WCE =
 * 0, SBC-4 §6.5.5, set by MODE SELECT), and closing the unit at shutdown.
 */
class DurabilityTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");

    /** The store, recording what the unit asked of it in order. */
    private static class RecordingStore implements BackingStore {
        final RamStore ram = new RamStore(1 << 20);
        final List<String> calls = new ArrayList<>();

        @Override
        public long capacityBytes() {
            return ram.capacityBytes();
        }

        @Override
        public void resize(long newCapacityBytes) throws IOException {
            ram.resize(newCapacityBytes);
        }

        @Override
        public boolean blocking() {
            return false;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            ram.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
            calls.add(forceUnitAccess ? "durable write" : "cached write");
            ram.write(offset, src, forceUnitAccess);
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    private final RecordingStore store = new RecordingStore();
    private ScsiTargetDevice device;
    private LogicalUnit lu;

    @BeforeEach
    void setUp() {
        device = new ScsiTargetDevice("iqn.t");
        lu =
                LogicalUnits.create(
                        0, LogicalUnitIdentity.derive("t", 0), store, 512, false, Runnable::run);
        device.addLogicalUnit(lu);
        run(Cdb.of(0, 0, 0, 0, 0, 0), 0, null); // the power-on unit attention
        store.calls.clear();
    }

    private ScsiOutcome run(Cdb cdb, int edtl, byte[] dataOut) {
        return ScsiTestSupport.run(device, NEXUS, 0, cdb, edtl, dataOut);
    }

    /** What the store was asked while {@code cdb} ran, which must end GOOD. */
    private List<String> callsOf(Cdb cdb, int edtl, byte[] dataOut) {
        store.calls.clear();
        assertEquals(ScsiStatus.GOOD, run(cdb, edtl, dataOut).status());
        return List.copyOf(store.calls);
    }

    private static Cdb write10(int flags) {
        return Cdb.of(0x2A, flags, 0, 0, 0, 8, 0, 0, 1, 0);
    }

    private static Cdb write16(int flags) {
        return Cdb.of(0x8A, flags, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0);
    }

    private void setWriteCache(boolean enabled) {
        ScsiOutcome sense = run(Cdb.of(0x1A, 0, 0x08, 0, 255, 0), 255, null);
        byte[] d = new byte[sense.dataIn().remaining()];
        sense.dataIn().duplicate().get(d);
        int page = 4 + (d[3] & 0xFF);
        int length = 2 + (d[page + 1] & 0xFF);
        byte[] param = new byte[4 + length];
        System.arraycopy(d, page, param, 4, length);
        param[4] &= 0x3F; // PS is reserved in MODE SELECT
        param[6] = (byte) (enabled ? param[6] | 0x04 : param[6] & ~0x04);
        assertEquals(
                ScsiStatus.GOOD,
                run(Cdb.of(0x15, 0x10, 0, 0, param.length, 0), param.length, param).status());
    }

    @Test
    void aFuaWriteIsOnStableStorageBeforeStatusAndAPlainOneIsCached() {
        assertEquals(List.of("durable write"), callsOf(write10(0x08), 512, new byte[512]));
        assertEquals(List.of("durable write"), callsOf(write16(0x08), 512, new byte[512]));
        assertEquals(List.of("cached write"), callsOf(write10(0), 512, new byte[512]));
    }

    @Test
    void aFuaWriteThatArrivedInPiecesIsForcedOnceAfterItsLastPiece() {
        byte[] data = new byte[1536];
        DataOutSource pieces =
                new DataOutSource() {
                    @Override
                    public CompletableFuture<ByteBuffer> receive(int length) {
                        return CompletableFuture.failedFuture(
                                new AssertionError("the write takes the pieces"));
                    }

                    @Override
                    public CompletableFuture<ByteBuffer[]> receiveSegments(int length) {
                        return CompletableFuture.completedFuture(
                                new ByteBuffer[] {
                                    ByteBuffer.wrap(data, 0, 512),
                                    ByteBuffer.wrap(data, 512, 1024).slice()
                                });
                    }
                };
        store.calls.clear();
        ScsiOutcome o =
                device.execute(
                                new ScsiTask(
                                        NEXUS,
                                        LunAddress.encode(0),
                                        Cdb.of(0x2A, 0x08, 0, 0, 0, 8, 0, 0, 3, 0),
                                        1,
                                        TaskAttribute.SIMPLE,
                                        1536,
                                        pieces))
                        .join();
        assertEquals(ScsiStatus.GOOD, o.status());
        assertEquals(List.of("cached write", "durable write"), store.calls);
    }

    /**
     * A store that takes writes one at a time (a buffered file) gets them through the unit's write
     * queue; a FUA write is the write, then a flush it may share with others, both before status.
     */
    @Test
    void onAStoreThatTakesWritesOneAtATimeAFuaWriteIsTheWriteThenAFlushBeforeStatus() {
        RecordingStore serial =
                new RecordingStore() {
                    @Override
                    public boolean blocking() {
                        return true;
                    }

                    @Override
                    public boolean serialWrites() {
                        return true;
                    }
                };
        ScsiTargetDevice d = new ScsiTargetDevice("iqn.t");
        d.addLogicalUnit(
                LogicalUnits.create(
                        0, LogicalUnitIdentity.derive("t", 0), serial, 512, false, Runnable::run));
        ScsiTestSupport.run(d, NEXUS, 0, Cdb.of(0, 0, 0, 0, 0, 0), 0, null);
        serial.calls.clear();
        ScsiOutcome o = ScsiTestSupport.run(d, NEXUS, 0, write10(0x08), 512, new byte[512]);
        assertEquals(ScsiStatus.GOOD, o.status());
        assertEquals(List.of("cached write", "flush"), serial.calls);
        serial.calls.clear();
        ScsiTestSupport.run(d, NEXUS, 0, write10(0), 512, new byte[512]);
        assertEquals(List.of("cached write"), serial.calls);
    }

    @Test
    void synchronizeCacheFlushesBeforeStatus() {
        assertEquals(List.of("flush"), callsOf(Cdb.of(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, null));
        assertEquals(
                List.of("flush"),
                callsOf(Cdb.of(0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, null));
    }

    @Test
    void withTheWriteCacheTurnedOffByModeSelectEveryWriteIsDurable() {
        setWriteCache(false);
        assertEquals(List.of("durable write"), callsOf(write10(0), 512, new byte[512]));
        assertEquals(
                List.of("durable write"),
                callsOf(Cdb.of(0x0A, 0, 0, 1, 1, 0), 512, new byte[512]),
                "WRITE(6)");
        setWriteCache(true);
        assertEquals(
                List.of("cached write"), callsOf(write10(0), 512, new byte[512]), "and back on");
    }

    @Test
    void closingTheUnitAtShutdownClosesTheStoreWhichFlushes() throws Exception {
        lu.close();
        assertEquals(List.of("close"), store.calls);
    }
}
