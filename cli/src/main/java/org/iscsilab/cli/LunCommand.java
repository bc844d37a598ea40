package org.iscsilab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.store.Sizes;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iscsilab lun ...}: change the LUNs of a running target; each change raises the unit
 * attention SPC requires.
 */
@Command(
        name = "lun",
        description =
                "List, add, remove, resize, write-protect, eject, load or reset LUNs of a running"
                        + " target.",
        subcommands = {
            LunCommand.ListLuns.class,
            LunCommand.Add.class,
            LunCommand.Remove.class,
            LunCommand.Resize.class,
            LunCommand.ReadOnly.class,
            LunCommand.Eject.class,
            LunCommand.Load.class,
            LunCommand.Reset.class
        })
public final class LunCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What every LUN subcommand shares: the target client's options, and a LUN's row. */
    static class Base extends TargetClientCommand {
        /** PATCH one field of a LUN and print the LUN as it is now. */
        Integer patch(int lun, String field, Object value) throws Exception {
            Map<String, String> q = query();
            print(
                    JSON.readTree(
                            admin.client()
                                    .call(
                                            "PATCH",
                                            "luns/" + lun,
                                            q,
                                            AdminClient.jsonField(field, value))));
            return CliErrors.SUCCESS;
        }

        void print(JsonNode lun) {
            Table t = table();
            row(t, lun);
            t.print(out());
        }
    }

    static Table table() {
        return new Table("LUN", "SIZE", "BLOCK", "SERIAL", "FLAGS", "STORE");
    }

    static void row(Table t, JsonNode l) {
        StringBuilder flags = new StringBuilder();
        flag(flags, l.path("readOnly").asBoolean(), "ro");
        flag(flags, l.path("thin").asBoolean(), "thin");
        flag(flags, l.path("removable").asBoolean(), "removable");
        flag(flags, l.has("mediumPresent") && !l.path("mediumPresent").asBoolean(), "no-medium");
        t.row(
                l.path("lun").asText(),
                Sizes.format(l.path("bytes").asLong()),
                l.path("blockSize").asText(),
                l.path("serial").asText(),
                flags.length() == 0 ? "-" : flags,
                l.path("store").asText());
    }

    private static void flag(StringBuilder sb, boolean on, String name) {
        if (on) {
            sb.append(sb.length() == 0 ? "" : ",").append(name);
        }
    }

    @Command(name = "list", description = "List the LUNs.")
    static final class ListLuns extends Base implements Callable<Integer> {
        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String body = admin.client().call("GET", "luns", query(), null);
            if (json) {
                return printJson(body);
            }
            JsonNode luns = JSON.readTree(body);
            out().println(luns.size() + " LUN" + (luns.size() == 1 ? "" : "s"));
            Table t = table();
            luns.forEach(l -> row(t, l));
            if (!t.isEmpty()) {
                t.print(out());
            }
            out().flush();
            return CliErrors.SUCCESS;
        }
    }

    @Command(
            name = "add",
            description =
                    "Add a LUN from a spec, e.g. ram:1G,thin (REPORTED LUNS DATA HAS CHANGED).")
    static final class Add extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = LunSpec.SYNTAX)
        String lunSpec;

        @Option(
                names = "--lun",
                paramLabel = "N",
                description = "The LUN number, 0 to 16383 (default: the lowest free one).")
        Integer lun;

        @Override
        public Integer call() throws Exception {
            try {
                LunSpec.parse(lunSpec);
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UsageException(e.getMessage());
            }
            if (lun != null && (lun < 0 || lun > LunAddress.MAX_LUN)) {
                throw new CliErrors.UsageException(
                        "--lun " + lun + ": a LUN is 0 to " + LunAddress.MAX_LUN);
            }
            ObjectNode body = JSON.createObjectNode().put("spec", lunSpec);
            if (lun != null) {
                body.put("lun", lun);
            }
            Map<String, String> q = query();
            print(JSON.readTree(admin.client().call("POST", "luns", q, body.toString())));
            return CliErrors.SUCCESS;
        }
    }

    @Command(name = "remove", description = "Remove a LUN (REPORTED LUNS DATA HAS CHANGED).")
    static final class Remove extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "LUN")
        int lun;

        @Override
        public Integer call() throws Exception {
            Map<String, String> q = query();
            admin.client().call("DELETE", "luns/" + lun, q, null);
            out().println("removed LUN " + lun);
            return CliErrors.SUCCESS;
        }
    }

    @Command(
            name = "resize",
            description = "Change a LUN's size, e.g. 2G (CAPACITY DATA HAS CHANGED).")
    static final class Resize extends Base implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "LUN")
        int lun;

        @Parameters(index = "1", paramLabel = "SIZE")
        String size;

        @Override
        public Integer call() throws Exception {
            try {
                Sizes.parse(size);
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UsageException("SIZE " + e.getMessage());
            }
            return patch(lun, "size", size);
        }
    }

    @Command(name = "read-only", description = "Write-protect a LUN (true) or lift that (false).")
    static final class ReadOnly extends Base implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "LUN")
        int lun;

        @Parameters(index = "1", paramLabel = "true|false", arity = "1")
        boolean readOnly;

        @Override
        public Integer call() throws Exception {
            return patch(lun, "readOnly", readOnly);
        }
    }

    @Command(
            name = "eject",
            description =
                    "Eject the medium of a removable LUN (refused while removal is prevented).")
    static final class Eject extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "LUN")
        int lun;

        @Override
        public Integer call() throws Exception {
            return patch(lun, "medium", "eject");
        }
    }

    @Command(
            name = "load",
            description = "Load the medium of a removable LUN (NOT READY TO READY CHANGE).")
    static final class Load extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "LUN")
        int lun;

        @Override
        public Integer call() throws Exception {
            return patch(lun, "medium", "load");
        }
    }

    @Command(
            name = "reset",
            description = "Return a RAM or overlay LUN to the content and size it was made with.")
    static final class Reset extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "LUN")
        int lun;

        @Override
        public Integer call() throws Exception {
            Map<String, String> q = query();
            print(JSON.readTree(admin.client().call("POST", "luns/" + lun + "/reset", q, null)));
            return CliErrors.SUCCESS;
        }
    }
}
