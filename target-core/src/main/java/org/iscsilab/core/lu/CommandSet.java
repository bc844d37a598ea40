package org.iscsilab.core.lu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.SenseException;

/**
 * The commands a logical unit supports, each described once (opcode, service action, CDB usage
 * data, handler). Dispatch and REPORT SUPPORTED OPERATION CODES both read this table.
 */
public final class CommandSet {
    private final CommandDescriptor[] plain = new CommandDescriptor[256];
    private final List<List<CommandDescriptor>> byServiceAction = new ArrayList<>();

    public CommandSet() {
        for (int i = 0; i < 256; i++) {
            byServiceAction.add(null);
        }
    }

    public CommandSet add(CommandDescriptor d) {
        int op = d.opcode();
        if (d.hasServiceAction()) {
            if (plain[op] != null) {
                throw new IllegalStateException(
                        d.name() + ": opcode already registered without service action");
            }
            List<CommandDescriptor> l = byServiceAction.get(op);
            if (l == null) {
                l = new ArrayList<>();
                byServiceAction.set(op, l);
            }
            for (CommandDescriptor e : l) {
                if (e.serviceAction() == d.serviceAction()) {
                    throw new IllegalStateException(d.name() + " registered twice");
                }
            }
            l.add(d);
        } else {
            if (plain[op] != null || byServiceAction.get(op) != null) {
                throw new IllegalStateException(
                        d.name() + ": opcode 0x" + Integer.toHexString(op) + " registered twice");
            }
            plain[op] = d;
        }
        return this;
    }

    /** True when the opcode is known at all (with or without service actions). */
    public boolean supports(int opcode) {
        return plain[opcode & 0xFF] != null || byServiceAction.get(opcode & 0xFF) != null;
    }

    public boolean hasServiceActions(int opcode) {
        return byServiceAction.get(opcode & 0xFF) != null;
    }

    /**
     * The descriptor of a plain opcode, or of an opcode and service action; null when unsupported.
     */
    public CommandDescriptor find(int opcode, int serviceAction) {
        if (serviceAction < 0) {
            return plain[opcode & 0xFF];
        }
        List<CommandDescriptor> l = byServiceAction.get(opcode & 0xFF);
        if (l != null) {
            for (CommandDescriptor d : l) {
                if (d.serviceAction() == serviceAction) {
                    return d;
                }
            }
        }
        return null;
    }

    /**
     * The handler for a CDB, or null for an unsupported opcode. An unsupported service action of a
     * supported opcode is INVALID FIELD IN CDB pointing at the SERVICE ACTION field (SPC-5
     * §4.2.5.3).
     */
    public CommandHandler handlerFor(Cdb cdb) {
        int op = cdb.opcode();
        if (plain[op] != null) {
            return plain[op].handler();
        }
        if (byServiceAction.get(op) == null) {
            return null;
        }
        CommandDescriptor d = find(op, cdb.u8(1) & 0x1F);
        if (d == null) {
            throw SenseException.invalidFieldInCdb(1, 4);
        }
        return d.handler();
    }

    /** A copy of this set without the commands {@code drop} selects. */
    public CommandSet without(Predicate<CommandDescriptor> drop) {
        CommandSet out = new CommandSet();
        for (CommandDescriptor d : all()) {
            if (!drop.test(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Every supported command in opcode, then service action, order. */
    public List<CommandDescriptor> all() {
        List<CommandDescriptor> out = new ArrayList<>();
        for (int op = 0; op < 256; op++) {
            if (plain[op] != null) {
                out.add(plain[op]);
            } else if (byServiceAction.get(op) != null) {
                List<CommandDescriptor> l = new ArrayList<>(byServiceAction.get(op));
                l.sort(Comparator.comparingInt(CommandDescriptor::serviceAction));
                out.addAll(l);
            }
        }
        return out;
    }
}
