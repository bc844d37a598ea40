package org.iscsilab.core.spc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.alua.TargetPortGroup;
import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandHandler;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * REPORT TARGET PORT GROUPS (MAINTENANCE IN, SPC-5 §6.38) and SET TARGET PORT GROUPS (MAINTENANCE
 * OUT, SPC-5 §6.49) over the target device's {@link Alua}.
 */
public final class TargetPortGroupCommands {
    private static final int LENGTH_ONLY = 0b000;
    private static final int EXTENDED = 0b001;

    private TargetPortGroupCommands() {}

    public static void registerInto(CommandSet set) {
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.MAINTENANCE_IN,
                        ScsiOpcode.SA_REPORT_TARGET_PORT_GROUPS,
                        "REPORT TARGET PORT GROUPS",
                        "a3 ea 00 00 00 00 ff ff ff ff 00 00",
                        CommandHandler.immediate(TargetPortGroupCommands::reportTargetPortGroups)));
        set.add(
                CommandDescriptor.withServiceAction(
                        ScsiOpcode.MAINTENANCE_OUT,
                        ScsiOpcode.SA_SET_TARGET_PORT_GROUPS,
                        "SET TARGET PORT GROUPS",
                        "a4 0a 00 00 00 00 ff ff ff ff 00 00",
                        TargetPortGroupCommands::setTargetPortGroups));
    }

    /**
     * SPC-5 §6.38: one descriptor per target port group with ports (state, PREF, supported states,
     * status code, relative target port identifiers). PARAMETER DATA FORMAT 000b gives the length
     * header alone, 001b the extended header with the IMPLICIT TRANSITION TIME; RETURN DATA LENGTH
     * counts every byte after itself. A short allocation length truncates (SPC-5 §4.2.5.6).
     */
    static ScsiOutcome reportTargetPortGroups(LogicalUnit lu, ScsiTask task) {
        int format = task.cdb().u8(1) >> 5;
        if (format != LENGTH_ONLY && format != EXTENDED) {
            throw SenseException.invalidFieldInCdb(1, 7);
        }
        int allocation = (int) Math.min(Integer.MAX_VALUE, task.cdb().u32(6));
        Alua alua = lu.inventory().alua();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (TargetPortGroup g : alua.groups()) {
            List<Integer> ports = alua.portsOf(g, task.nexus().relativeTargetPort());
            if (ports.isEmpty()) {
                continue;
            }
            ByteBuffer d = ByteBuffer.allocate(8 + 4 * ports.size());
            d.put((byte) ((g.preferred() ? 0x80 : 0) | g.state().code()));
            d.put((byte) AccessState.SUPPORTED_BITS);
            d.putShort((short) g.id());
            d.put((byte) 0);
            d.put((byte) g.statusCode());
            d.put((byte) 0); // vendor specific
            d.put((byte) ports.size());
            for (int p : ports) {
                d.putShort((short) 0);
                d.putShort((short) p);
            }
            body.writeBytes(d.array());
        }
        int header = format == EXTENDED ? 8 : 4;
        ByteBuffer out = ByteBuffer.allocate(header + body.size());
        out.putInt(header - 4 + body.size()); // RETURN DATA LENGTH: the bytes after this field
        if (format == EXTENDED) {
            out.put((byte) 0x10); // FORMAT TYPE 001b
            out.put((byte) alua.implicitTransitionSeconds());
            out.putShort((short) 0);
        }
        out.put(body.toByteArray());
        return ScsiOutcome.dataIn(out.array(), allocation);
    }

    /**
     * SPC-5 §6.49: supported only with explicit ALUA. The parameter list is a 4-byte header and
     * 4-byte descriptors (state, target port group); a zero length transfers nothing and is no
     * error. The whole list is checked before anything changes: a length that is not a header and
     * whole descriptors, a state SET TARGET PORT GROUPS may not ask for (transitioning, offline,
     * reserved codes), an unknown group or a group named twice ends the command with nothing
     * changed.
     */
    static CompletableFuture<ScsiOutcome> setTargetPortGroups(LogicalUnit lu, ScsiTask task) {
        Alua alua = lu.inventory().alua();
        if (!alua.mode().explicit()) {
            throw SenseException.invalidOpcode();
        }
        long length = task.cdb().u32(6);
        if (length == 0) {
            return CompletableFuture.completedFuture(ScsiOutcome.good());
        }
        if (length < 4 || (length - 4) % 4 != 0) {
            throw parameterListLengthError();
        }
        int carried = (int) Math.min(length, task.expectedDataTransferLength());
        return task.dataOut()
                .receive(carried)
                .thenApply(
                        buffer -> {
                            if (carried < length) {
                                throw parameterListLengthError();
                            }
                            ByteBuffer p = buffer.duplicate();
                            int base = p.position();
                            Map<Integer, AccessState> requested = new LinkedHashMap<>();
                            for (int at = 4; at < carried; at += 4) {
                                AccessState s = AccessState.ofCode(p.get(base + at) & 0x0F);
                                if (s == null || !s.explicitTarget()) {
                                    throw invalidParameter(at);
                                }
                                int group = p.getShort(base + at + 2) & 0xFFFF;
                                if (!alua.hasGroup(group) || requested.containsKey(group)) {
                                    throw invalidParameter(at + 2);
                                }
                                requested.put(group, s);
                            }
                            alua.setExplicitly(requested, task.nexus());
                            return ScsiOutcome.dataOut(carried);
                        });
    }

    private static SenseException invalidParameter(int byteOffset) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                        SenseData.FieldPointer.parameterByte(byteOffset)));
    }

    private static SenseException parameterListLengthError() {
        return SenseException.of(
                SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
    }
}
