package org.iscsilab.core.spc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.alua.TargetPortGroup;
import org.iscsilab.core.alua.TpgsMode;
import org.iscsilab.core.lu.BlockLimits;
import org.iscsilab.core.lu.Designator;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.xcopy.ThirdPartyCopyVpd;
import org.iscsilab.scsi.SenseException;

/** Vital product data pages (SPC-5 §7.8, SBC-4 §6.6). */
public final class VpdPages {
    public static final int SUPPORTED_PAGES = 0x00;
    public static final int UNIT_SERIAL_NUMBER = 0x80;
    public static final int DEVICE_IDENTIFICATION = 0x83;
    public static final int THIRD_PARTY_COPY = ThirdPartyCopyVpd.PAGE_CODE;
    public static final int BLOCK_LIMITS = 0xB0;
    public static final int BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    public static final int LOGICAL_BLOCK_PROVISIONING = 0xB2;
    private static final int[] SUPPORTED = {
        SUPPORTED_PAGES,
        UNIT_SERIAL_NUMBER,
        DEVICE_IDENTIFICATION,
        THIRD_PARTY_COPY,
        BLOCK_LIMITS,
        BLOCK_DEVICE_CHARACTERISTICS,
        LOGICAL_BLOCK_PROVISIONING
    };

    private VpdPages() {}

    static byte[] page(LogicalUnit lu, int code, ScsiTask task) {
        return switch (code) {
            case SUPPORTED_PAGES -> supportedPages();
            case UNIT_SERIAL_NUMBER -> serialNumber(lu);
            case DEVICE_IDENTIFICATION -> deviceIdentification(lu, task.nexus());
            case THIRD_PARTY_COPY -> withHeader(THIRD_PARTY_COPY, ThirdPartyCopyVpd.descriptors());
            case BLOCK_LIMITS -> blockLimits(lu);
            case BLOCK_DEVICE_CHARACTERISTICS -> blockDeviceCharacteristics();
            case LOGICAL_BLOCK_PROVISIONING -> logicalBlockProvisioning(lu);
            default -> throw SenseException.invalidFieldInCdb(2);
        };
    }

    private static byte[] header(int code, int payloadLength) {
        byte[] b = new byte[4 + payloadLength];
        b[1] = (byte) code;
        b[2] = (byte) (payloadLength >> 8);
        b[3] = (byte) payloadLength;
        return b;
    }

    private static byte[] withHeader(int code, byte[] payload) {
        byte[] b = header(code, payload.length);
        System.arraycopy(payload, 0, b, 4, payload.length);
        return b;
    }

    static byte[] supportedPages() {
        byte[] b = header(SUPPORTED_PAGES, SUPPORTED.length);
        for (int i = 0; i < SUPPORTED.length; i++) {
            b[4 + i] = (byte) SUPPORTED[i];
        }
        return b;
    }

    static byte[] serialNumber(LogicalUnit lu) {
        byte[] serial = lu.identity().serial().getBytes(StandardCharsets.US_ASCII);
        byte[] b = header(UNIT_SERIAL_NUMBER, serial.length);
        System.arraycopy(serial, 0, b, 4, serial.length);
        return b;
    }

    /**
     * SPC-5 §7.8.6: the logical unit's designators, NAA first; then, associated with the target
     * port the command came through, its relative target port (§7.8.6.5) and, when the target
     * reports ALUA, its target port group (§7.8.6.6).
     */
    static byte[] deviceIdentification(LogicalUnit lu, ItNexus nexus) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Designator d : lu.identity().designators()) {
            body.writeBytes(d.encode());
        }
        int port = nexus.relativeTargetPort();
        body.writeBytes(targetPortDesignator(Designator.TYPE_RELATIVE_TARGET_PORT, port).encode());
        Alua alua = lu.alua();
        if (alua != null && alua.mode() != TpgsMode.NONE) {
            TargetPortGroup group = alua.groupOf(port);
            if (group != null) {
                body.writeBytes(
                        targetPortDesignator(Designator.TYPE_TARGET_PORT_GROUP, group.id())
                                .encode());
            }
        }
        return withHeader(DEVICE_IDENTIFICATION, body.toByteArray());
    }

    /** A 4-byte binary designator of the target port: two reserved bytes, then the number. */
    private static Designator targetPortDesignator(int type, int number) {
        return new Designator(
                Designator.CODE_SET_BINARY,
                Designator.ASSOCIATION_TARGET_PORT,
                type,
                new byte[] {0, 0, (byte) (number >> 8), (byte) number});
    }

    /** SBC-4 §6.6.3 Block Limits. */
    static byte[] blockLimits(LogicalUnit lu) {
        byte[] b = header(BLOCK_LIMITS, 0x3C);
        ByteBuffer bb = ByteBuffer.wrap(b);
        int maxBlocks = BlockLimits.MAX_TRANSFER_BYTES / lu.blockSize();
        bb.putShort(6, (short) 1); // OPTIMAL TRANSFER LENGTH GRANULARITY
        bb.putInt(8, maxBlocks); // MAXIMUM TRANSFER LENGTH
        bb.putInt(12, Math.max(1, (128 * 1024) / lu.blockSize())); // OPTIMAL TRANSFER LENGTH
        b[5] = (byte) BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS;
        if (lu.thin()) {
            bb.putInt(20, (int) BlockLimits.MAX_UNMAP_LBA_COUNT);
            bb.putInt(24, BlockLimits.MAX_UNMAP_DESCRIPTORS);
            bb.putInt(28, 1); // OPTIMAL UNMAP GRANULARITY: any block
        }
        bb.putLong(36, BlockLimits.MAX_WRITE_SAME_BLOCKS); // MAXIMUM WRITE SAME LENGTH
        int atomicUnit = 1 << lu.format().logicalBlocksPerPhysicalBlockExponent();
        bb.putInt(44, BlockLimits.maxAtomicTransferBlocks(lu)); // MAXIMUM ATOMIC TRANSFER LENGTH
        bb.putInt(48, atomicUnit); // ATOMIC ALIGNMENT
        bb.putInt(52, atomicUnit); // ATOMIC TRANSFER LENGTH GRANULARITY
        return b;
    }

    /** SBC-4 §6.6.2 Block Device Characteristics: a non-rotating medium. */
    static byte[] blockDeviceCharacteristics() {
        byte[] b = header(BLOCK_DEVICE_CHARACTERISTICS, 0x3C);
        b[4] = 0;
        b[5] = 1; // MEDIUM ROTATION RATE: non-rotating medium
        b[7] = 0x50; // WABEREQ, WACEREQ 01b: reads after a block or crypto erase return zeros
        return b;
    }

    /**
     * SBC-4 §6.6.4 Logical Block Provisioning: thin units offer UNMAP and WRITE SAME with UNMAP.
     */
    static byte[] logicalBlockProvisioning(LogicalUnit lu) {
        byte[] b = header(LOGICAL_BLOCK_PROVISIONING, 4);
        if (lu.thin()) {
            b[5] = (byte) (0x80 | 0x40 | 0x20 | 0x04); // LBPU, LBPWS, LBPWS10, LBPRZ=001b
            b[6] = 0x02; // PROVISIONING TYPE: thin
        }
        return b;
    }
}
