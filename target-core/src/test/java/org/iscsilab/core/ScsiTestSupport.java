package org.iscsilab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;

/**
 * What the SCSI core's tests share: commands sent to a device as a transport would send them
 * (SIMPLE tasks, data-out from a byte array), and the checks on their outcomes.
 */
public final class ScsiTestSupport {
    /** The I_T nexus of the tests that need only one. */
    public static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");

    private ScsiTestSupport() {}

    /** Data-out served from {@code data} (null: no data-out), as much as the command asks for. */
    public static DataOutSource dataOut(byte[] data) {
        return data == null
                ? DataOutSource.NONE
                : n ->
                        CompletableFuture.completedFuture(
                                ByteBuffer.wrap(data, 0, Math.min(n, data.length)));
    }

    /** A SIMPLE task with tag 1. */
    public static ScsiTask task(ItNexus nexus, int lun, Cdb cdb, int edtl, byte[] data) {
        return new ScsiTask(
                nexus, LunAddress.encode(lun), cdb, 1, TaskAttribute.SIMPLE, edtl, dataOut(data));
    }

    /** Executes a command and waits for its outcome. */
    public static ScsiOutcome run(
            ScsiTargetDevice device, ItNexus nexus, int lun, Cdb cdb, int edtl, byte[] data) {
        return device.execute(task(nexus, lun, cdb, edtl, data)).join();
    }

    public static ScsiOutcome run(
            ScsiTargetDevice device, int lun, Cdb cdb, int edtl, byte[] data) {
        return run(device, NEXUS, lun, cdb, edtl, data);
    }

    /** CHECK CONDITION with exactly this sense key and additional sense code. */
    public static void assertSense(ScsiOutcome o, SenseKey key, AdditionalSense as) {
        assertEquals(ScsiStatus.CHECK_CONDITION, o.status(), "status");
        assertEquals(key, o.sense().key(), "sense key");
        assertEquals(as.asc(), o.sense().asc(), "ASC");
        assertEquals(as.ascq(), o.sense().ascq(), "ASCQ");
    }

    /** The data-in, copied out (the outcome's buffer is left as it was). */
    public static byte[] bytes(ScsiOutcome o) {
        byte[] b = new byte[o.dataIn().remaining()];
        o.dataIn().duplicate().get(b);
        return b;
    }

    /** A target device with {@code luns} 1 MiB RAM units of 512-byte blocks, run inline. */
    public static ScsiTargetDevice ramDevice(String name, int luns) {
        ScsiTargetDevice device = new ScsiTargetDevice(name);
        for (int lun = 0; lun < luns; lun++) {
            device.addLogicalUnit(
                    LogicalUnits.create(
                            lun,
                            LogicalUnitIdentity.derive("t", lun),
                            new RamStore(1 << 20),
                            512,
                            false,
                            Runnable::run));
        }
        return device;
    }
}
