package org.iscsilab.target.lu;

/** The operation codes a logical unit supports, each with its handler. */
public final class CommandSet {
    private final CommandHandler[] handlers = new CommandHandler[256];

    public CommandSet add(int opcode, CommandHandler handler) {
        if (handlers[opcode] != null) {
            throw new IllegalStateException("opcode 0x" + Integer.toHexString(opcode) + " registered twice");
        }
        handlers[opcode] = handler;
        return this;
    }

    /** The handler for this opcode, or null when the opcode is not supported. */
    public CommandHandler get(int opcode) {
        return handlers[opcode & 0xFF];
    }

    public boolean supports(int opcode) {
        return handlers[opcode & 0xFF] != null;
    }
}
