package org.iscsilab.core.spc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandHandler;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.pr.Registration;
import org.iscsilab.core.pr.ReservationType;
import org.iscsilab.core.pr.Reservations;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/** SPC-2 RESERVE/RELEASE (6/10) and SPC-4 PERSISTENT RESERVE IN/OUT, over {@link Reservations}. */
public final class ReservationCommands {
    // PERSISTENT RESERVE OUT service actions (SPC-4 §6.16.2)
    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int RELEASE = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE_EXISTING_KEY = 6;
    static final int REGISTER_AND_MOVE = 7;
    // PERSISTENT RESERVE IN service actions (SPC-4 §6.15.1)
    static final int READ_KEYS = 0;
    static final int READ_RESERVATION = 1;
    static final int REPORT_CAPABILITIES = 2;
    static final int READ_FULL_STATUS = 3;
    private static final int BASIC_PARAMETER_LIST = 24;

    /** REGISTER AND MOVE: 24 header bytes and an iSCSI TransportID of at most 4 + 256 bytes. */
    private static final int MAX_REGISTER_AND_MOVE_LIST = 24 + 4 + 256;

    /** SPC-5 §7.6.1: PROTOCOL IDENTIFIER of iSCSI. */
    private static final int PROTOCOL_ISCSI = 5;

    private ReservationCommands() {}

    public static void registerInto(CommandSet set) {
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.RESERVE_6,
                        "RESERVE(6)",
                        "16 00 00 00 00 00",
                        CommandHandler.immediate(ReservationCommands::reserve)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.RELEASE_6,
                        "RELEASE(6)",
                        "17 00 00 00 00 00",
                        CommandHandler.immediate(ReservationCommands::release)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.RESERVE_10,
                        "RESERVE(10)",
                        "56 00 00 00 00 00 00 00 00 00",
                        CommandHandler.immediate(ReservationCommands::reserve)));
        set.add(
                CommandDescriptor.of(
                        ScsiOpcode.RELEASE_10,
                        "RELEASE(10)",
                        "57 00 00 00 00 00 00 00 00 00",
                        CommandHandler.immediate(ReservationCommands::release)));
        for (int sa :
                new int[] {READ_KEYS, READ_RESERVATION, REPORT_CAPABILITIES, READ_FULL_STATUS}) {
            set.add(
                    CommandDescriptor.withServiceAction(
                            ScsiOpcode.PERSISTENT_RESERVE_IN,
                            sa,
                            "PERSISTENT RESERVE IN",
                            String.format("5e %02x 00 00 00 00 00 ff ff 00", sa),
                            CommandHandler.immediate(ReservationCommands::persistentReserveIn)));
        }
        for (int sa :
                new int[] {
                    REGISTER,
                    RESERVE,
                    RELEASE,
                    CLEAR,
                    PREEMPT,
                    PREEMPT_AND_ABORT,
                    REGISTER_AND_IGNORE_EXISTING_KEY,
                    REGISTER_AND_MOVE
                }) {
            set.add(
                    CommandDescriptor.withServiceAction(
                            ScsiOpcode.PERSISTENT_RESERVE_OUT,
                            sa,
                            "PERSISTENT RESERVE OUT",
                            String.format("5f %02x ff 00 00 ff ff ff ff 00", sa),
                            ReservationCommands::persistentReserveOut));
        }
    }

    /** SPC-2 §7.21 RESERVE: third-party and extent reservations are not supported. */
    static ScsiOutcome reserve(LogicalUnit lu, ScsiTask task) {
        if ((task.cdb().u8(1) & 0x13) != 0) {
            throw SenseException.invalidFieldInCdb(1);
        }
        lu.reservations().reserve(task.nexus());
        return ScsiOutcome.good();
    }

    static ScsiOutcome release(LogicalUnit lu, ScsiTask task) {
        if ((task.cdb().u8(1) & 0x13) != 0) {
            throw SenseException.invalidFieldInCdb(1);
        }
        lu.reservations().release(task.nexus());
        return ScsiOutcome.good();
    }

    static CompletableFuture<ScsiOutcome> persistentReserveOut(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        int sa = cdb.u8(1) & 0x1F;
        int scope = cdb.u8(2) >> 4;
        int typeCode = cdb.u8(2) & 0x0F;
        long listLength = cdb.u32(5);
        if (scope != 0) { // SPC-4 §6.16.3: only LU_SCOPE
            throw SenseException.invalidFieldInCdb(2, 7);
        }
        ReservationType type = ReservationType.of(typeCode);
        boolean needsType =
                sa == RESERVE || sa == RELEASE || sa == PREEMPT || sa == PREEMPT_AND_ABORT;
        if (needsType && type == null) {
            throw SenseException.invalidFieldInCdb(2, 3);
        }
        if (sa == REGISTER_AND_MOVE) {
            return registerAndMove(lu, task, type, listLength);
        }
        if (listLength != BASIC_PARAMETER_LIST
                || task.expectedDataTransferLength() < BASIC_PARAMETER_LIST) {
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
        }
        return task.dataOut()
                .receive(BASIC_PARAMETER_LIST)
                .thenApply(
                        list -> {
                            ByteBuffer p = list.duplicate();
                            long key = p.getLong(p.position());
                            long serviceActionKey = p.getLong(p.position() + 8);
                            int flags = p.get(p.position() + 20) & 0xFF;
                            if ((flags & 0x0C)
                                    != 0) { // SPEC_I_PT and ALL_TG_PT are not supported (REPORT
                                // CAPABILITIES says so)
                                throw new SenseException(
                                        SenseData.illegalRequest(
                                                AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                                                SenseData.FieldPointer.parameterByte(20)));
                            }
                            boolean aptpl = (flags & 0x01) != 0;
                            Reservations r = lu.reservations();
                            switch (sa) {
                                case REGISTER ->
                                        r.register(
                                                task.nexus(), key, serviceActionKey, false, aptpl);
                                case REGISTER_AND_IGNORE_EXISTING_KEY ->
                                        r.register(
                                                task.nexus(), key, serviceActionKey, true, aptpl);
                                case RESERVE -> r.reserve(task.nexus(), key, type);
                                case RELEASE -> r.release(task.nexus(), key, type);
                                case CLEAR -> r.clear(task.nexus(), key);
                                case PREEMPT, PREEMPT_AND_ABORT ->
                                        r.preempt(task.nexus(), key, serviceActionKey, type);
                                default -> throw SenseException.invalidFieldInCdb(1, 4);
                            }
                            return ScsiOutcome.dataOut(BASIC_PARAMETER_LIST);
                        });
    }

    /**
     * SPC-4 §6.16.4 REGISTER AND MOVE parameter list: keys, UNREG and APTPL, the RELATIVE TARGET
     * PORT IDENTIFIER and the TransportID of the destination initiator port (iSCSI, format 01b:
     * "name,i,0xISID", SPC-5 §7.6.4.6).
     */
    private static CompletableFuture<ScsiOutcome> registerAndMove(
            LogicalUnit lu, ScsiTask task, ReservationType type, long listLength) {
        if (type == null) {
            throw SenseException.invalidFieldInCdb(2, 3);
        }
        if (listLength < BASIC_PARAMETER_LIST + 4
                || listLength > MAX_REGISTER_AND_MOVE_LIST
                || task.expectedDataTransferLength() < listLength) {
            throw new SenseException(
                    SenseData.of(
                            SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
        }
        int length = (int) listLength;
        return task.dataOut()
                .receive(length)
                .thenApply(
                        list -> {
                            ByteBuffer p = list.slice(list.position(), length);
                            long key = p.getLong(0);
                            long serviceActionKey = p.getLong(8);
                            boolean unregister = (p.get(17) & 0x02) != 0;
                            boolean aptpl = (p.get(17) & 0x01) != 0;
                            int relativeTargetPort = p.getShort(18) & 0xFFFF;
                            long transportIdLength = p.getInt(20) & 0xFFFFFFFFL;
                            if (transportIdLength < 4 || 24 + transportIdLength > length) {
                                throw new SenseException(
                                        SenseData.of(
                                                SenseKey.ILLEGAL_REQUEST,
                                                AdditionalSense.PARAMETER_LIST_LENGTH_ERROR));
                            }
                            if (relativeTargetPort
                                    != task.nexus()
                                            .relativeTargetPort()) { // the only port this LU is
                                // seen through
                                throw invalidParameter(18);
                            }
                            String initiatorPort =
                                    iscsiInitiatorPort(p, 24, (int) transportIdLength);
                            ItNexus destination =
                                    new ItNexus(initiatorPort, task.nexus().targetPort());
                            lu.reservations()
                                    .registerAndMove(
                                            task.nexus(),
                                            key,
                                            serviceActionKey,
                                            destination,
                                            unregister,
                                            aptpl);
                            return ScsiOutcome.dataOut(length);
                        });
    }

    /**
     * The initiator port name of an iSCSI TransportID with FORMAT CODE 01b, ISID normalized to 12
     * hex digits.
     */
    private static String iscsiInitiatorPort(ByteBuffer p, int at, int length) {
        int header = p.get(at) & 0xFF;
        if ((header & 0x0F) != PROTOCOL_ISCSI || (header >> 6) != 1) {
            throw invalidParameter(at);
        }
        int additional = p.getShort(at + 2) & 0xFFFF;
        if (4 + additional > length) {
            throw invalidParameter(at + 2);
        }
        byte[] raw = new byte[additional];
        p.get(at + 4, raw);
        String text = new String(raw, StandardCharsets.UTF_8);
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            text = text.substring(0, nul);
        }
        int sep = text.toLowerCase(Locale.ROOT).lastIndexOf(",i,0x");
        if (sep <= 0) {
            throw invalidParameter(at + 4);
        }
        try {
            long isid = Long.parseLong(text.substring(sep + 5), 16);
            return text.substring(0, sep) + ",i,0x" + String.format("%012x", isid);
        } catch (NumberFormatException e) {
            throw invalidParameter(at + 4);
        }
    }

    private static SenseException invalidParameter(int offset) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                        SenseData.FieldPointer.parameterByte(offset)));
    }

    static ScsiOutcome persistentReserveIn(LogicalUnit lu, ScsiTask task) {
        int sa = task.cdb().u8(1) & 0x1F;
        int allocation = task.cdb().u16(7);
        Reservations r = lu.reservations();
        byte[] data =
                switch (sa) {
                    case READ_KEYS -> readKeys(r);
                    case READ_RESERVATION -> readReservation(r);
                    case REPORT_CAPABILITIES -> reportCapabilities();
                    case READ_FULL_STATUS -> readFullStatus(r);
                    default -> throw SenseException.invalidFieldInCdb(1, 4);
                };
        return ScsiOutcome.dataIn(data, allocation);
    }

    /** SPC-4 §6.15.2: PRGENERATION, ADDITIONAL LENGTH, then every registered key. */
    private static byte[] readKeys(Reservations r) {
        List<Registration> regs = r.registrations();
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * regs.size());
        b.putInt(r.generation()).putInt(8 * regs.size());
        regs.forEach(reg -> b.putLong(reg.key()));
        return b.array();
    }

    /** SPC-4 §6.15.3: the reservation, if any: key, scope and type. */
    private static byte[] readReservation(Reservations r) {
        ReservationType type = r.type();
        ByteBuffer b = ByteBuffer.allocate(type == null ? 8 : 24);
        b.putInt(r.generation()).putInt(type == null ? 0 : 16);
        if (type != null) {
            b.putLong(r.reservationKey())
                    .putInt(0)
                    .put((byte) 0)
                    .put((byte) type.code())
                    .putShort((short) 0);
        }
        return b.array();
    }

    /**
     * SPC-4 §6.15.4: APTPL capable; every type; no SPEC_I_PT, ALL_TG_PT or compatible reservation
     * handling.
     */
    private static byte[] reportCapabilities() {
        byte[] b = new byte[8];
        b[1] = 8;
        b[2] = 0x01; // PTPL_C
        b[3] = (byte) 0x80; // TMV: the type mask is valid
        b[4] =
                (byte)
                        (0x80 | 0x40 | 0x20 | 0x08
                                | 0x02); // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        b[5] = 0x01; // EX_AC_AR
        return b;
    }

    /** SPC-4 §6.15.5: one descriptor per registration with its iSCSI TransportID (format 01b). */
    private static byte[] readFullStatus(Reservations r) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ReservationType type = r.type();
        for (Registration reg : r.registrations()) {
            byte[] name = (reg.nexus().initiatorPort() + "\0").getBytes(StandardCharsets.UTF_8);
            int padded = (name.length + 3) & ~3;
            ByteBuffer d = ByteBuffer.allocate(24 + 4 + padded);
            d.putLong(reg.key()).putInt(0);
            boolean holder = r.isHolder(reg.nexus());
            d.put((byte) (holder ? 0x01 : 0)); // R_HOLDER
            d.put((byte) (holder && type != null ? type.code() : 0));
            d.putInt(0);
            d.putShort((short) reg.nexus().relativeTargetPort()); // RELATIVE TARGET PORT IDENTIFIER
            d.putInt(4 + padded); // ADDITIONAL DESCRIPTOR LENGTH
            d.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) padded); // FORMAT 01b, PROTOCOL 5 (iSCSI)
            d.put(name);
            body.writeBytes(d.array());
        }
        ByteBuffer head = ByteBuffer.allocate(8).putInt(r.generation()).putInt(body.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
