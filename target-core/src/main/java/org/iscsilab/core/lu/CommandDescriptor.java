package org.iscsilab.core.lu;

import java.util.HexFormat;

/**
 * A supported command as REPORT SUPPORTED OPERATION CODES describes it (SPC-5 §6.35): opcode,
 * service action (or -1), the CDB usage data bitmap (which CDB bits the device server examines; its
 * length is the CDB length) and the nominal timeout.
 */
public record CommandDescriptor(
        int opcode,
        int serviceAction,
        String name,
        byte[] usageData,
        int nominalTimeoutSeconds,
        CommandHandler handler) {

    public CommandDescriptor {
        if ((usageData[0] & 0xFF) != opcode) {
            throw new IllegalArgumentException(
                    name + ": CDB usage data must start with the opcode");
        }
    }

    /**
     * A command without service actions; {@code usageHex} is the usage bitmap, e.g. "28 18 ff ff ff
     * ff 00 ff ff 00".
     */
    public static CommandDescriptor of(
            int opcode, String name, String usageHex, CommandHandler handler) {
        return new CommandDescriptor(
                opcode, -1, name, HexFormat.ofDelimiter(" ").parseHex(usageHex), 30, handler);
    }

    public static CommandDescriptor withServiceAction(
            int opcode, int serviceAction, String name, String usageHex, CommandHandler handler) {
        return new CommandDescriptor(
                opcode,
                serviceAction,
                name,
                HexFormat.ofDelimiter(" ").parseHex(usageHex),
                30,
                handler);
    }

    public boolean hasServiceAction() {
        return serviceAction >= 0;
    }

    public int cdbLength() {
        return usageData.length;
    }
}
