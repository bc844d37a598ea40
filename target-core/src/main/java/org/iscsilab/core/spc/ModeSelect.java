package org.iscsilab.core.spc;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * SPC-5 §6.11/§6.12 MODE SELECT (6) and (10): accepts pages whose only differences from the current
 * values lie in changeable bits (WCE, D_SENSE, SWP), applies them, and tells the other I_T nexuses
 * MODE PARAMETERS CHANGED.
 */
final class ModeSelect {
    private ModeSelect() {}

    static CompletableFuture<ScsiOutcome> execute(LogicalUnit lu, ScsiTask task) {
        boolean ten = task.cdb().opcode() == ScsiOpcode.MODE_SELECT_10;
        if (task.cdb().bit(1, 0)) { // SP: no saved pages
            throw SenseException.invalidFieldInCdb(1, 0);
        }
        int listLength = ten ? task.cdb().u16(7) : task.cdb().u8(4);
        if (listLength == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        int headerLength = ten ? 8 : 4;
        if (listLength < headerLength) {
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
        }
        int carried = Math.min(listLength, task.expectedDataTransferLength());
        return task.dataOut()
                .receive(carried)
                .thenApply(
                        buffer -> {
                            ByteBuffer p = buffer.duplicate();
                            int base = p.position();
                            int blockDescriptorLength =
                                    ten ? p.getShort(base + 6) & 0xFFFF : p.get(base + 3) & 0xFF;
                            int at = headerLength;
                            if (blockDescriptorLength != 0) {
                                if (blockDescriptorLength != 8 || at + 8 > carried) {
                                    throw invalidParameter(ten ? 6 : 3);
                                }
                                int blockLength =
                                        ((p.get(base + at + 5) & 0xFF) << 16)
                                                | ((p.get(base + at + 6) & 0xFF) << 8)
                                                | (p.get(base + at + 7) & 0xFF);
                                if (blockLength
                                        != lu.blockSize()) { // block size changes are not supported
                                    throw invalidParameter(at + 5);
                                }
                                at += 8;
                            }
                            boolean changed = false;
                            while (at < carried) {
                                if (at + 2 > carried) {
                                    throw new SenseException(
                                            SenseData.of(
                                                    SenseKey.ILLEGAL_REQUEST,
                                                    AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
                                }
                                int code = p.get(base + at) & 0xFF;
                                if ((code & 0xC0)
                                        != 0) { // PS is reserved here; SPF (subpages) not supported
                                    throw invalidParameter(at);
                                }
                                int length = p.get(base + at + 1) & 0xFF;
                                if (at + 2 + length > carried) {
                                    throw new SenseException(
                                            SenseData.of(
                                                    SenseKey.ILLEGAL_REQUEST,
                                                    AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
                                }
                                byte[] page = new byte[2 + length];
                                p.get(base + at, page);
                                changed |= apply(lu, page, at);
                                at += 2 + length;
                            }
                            if (changed) {
                                lu.unitAttentions()
                                        .establishForAll(
                                                AdditionalSense.MODE_PARAMETERS_CHANGED,
                                                task.nexus());
                            }
                            return ScsiOutcome.dataOut(carried);
                        });
    }

    /** Checks one page against the current and changeable values and applies it. */
    private static boolean apply(LogicalUnit lu, byte[] page, int offset) {
        int code = page[0] & 0x3F;
        byte[] current;
        byte[] changeable;
        try {
            current = ModePages.pages(lu, code, 0, ModePages.PC_CURRENT);
            changeable = ModePages.pages(lu, code, 0, ModePages.PC_CHANGEABLE);
        } catch (SenseException e) {
            throw invalidParameter(offset); // a page we do not have
        }
        if (current.length != page.length) {
            throw invalidParameter(offset + 1);
        }
        for (int i = 2; i < page.length; i++) {
            if (((page[i] ^ current[i]) & ~changeable[i]) != 0) {
                throw invalidParameter(offset + i); // SPC-5 §6.11: only changeable bits may differ
            }
        }
        boolean changed = false;
        switch (code) {
            case ModePages.CACHING -> {
                boolean wce = (page[2] & 0x04) != 0;
                changed = wce != lu.writeCacheEnabled();
                lu.setWriteCacheEnabled(wce);
            }
            case ModePages.CONTROL -> {
                boolean dsense = (page[2] & 0x04) != 0;
                boolean swp = (page[4] & 0x08) != 0;
                changed = dsense != lu.descriptorSense() || swp != lu.softwareWriteProtect();
                lu.setDescriptorSense(dsense);
                lu.setSoftwareWriteProtect(swp);
            }
            default -> {}
        }
        return changed;
    }

    private static SenseException invalidParameter(int byteOffset) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                        SenseData.FieldPointer.parameterByte(byteOffset)));
    }
}
