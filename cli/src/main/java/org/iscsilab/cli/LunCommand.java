package org.iscsilab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.Callable;
import org.iscsilab.core.LunSpec;
import org.iscsilab.server.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iscsilab lun ...}: change the LUNs of a running target; each change raises the unit
 * attention SPC requires.
 */
@Command(
        name = "lun",
        mixinStandardHelpOptions = true,
        description =
                "List, add, remove, resize, write-protect, eject or load LUNs of a running target.",
        subcommands = {
            LunCommand.ListLuns.class,
            LunCommand.Add.class,
            LunCommand.Remove.class,
            LunCommand.Resize.class,
            LunCommand.ReadOnly.class,
            LunCommand.Eject.class,
            LunCommand.Load.class
        })
public final class LunCommand {

    /** Options every LUN subcommand shares. */
    static class Base {
        @Mixin AdminOption admin;

        @Option(
                names = "--target",
                paramLabel = "IQN",
                description = "The target, when the server has several.")
        String target;

        Map<String, String> query() {
            return target == null ? Map.of() : Map.of("target", target);
        }

        /** PATCH one field of a LUN and print the LUN as it is now. */
        Integer patch(int lun, String field, Object value) throws Exception {
            System.out.print(
                    admin.client()
                            .call(
                                    "PATCH",
                                    "luns/" + lun,
                                    query(),
                                    AdminClient.jsonField(field, value)));
            return 0;
        }
    }

    @Command(name = "list", description = "List the LUNs.")
    static final class ListLuns extends Base implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            System.out.print(admin.client().call("GET", "luns", query(), null));
            return 0;
        }
    }

    @Command(
            name = "add",
            description =
                    "Add a LUN from a spec, e.g. ram:1G,thin (REPORTED LUNS DATA HAS CHANGED).")
    static final class Add extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = LunSpec.SYNTAX)
        String spec;

        @Option(
                names = "--lun",
                paramLabel = "N",
                description = "The LUN number (default: the lowest free one).")
        Integer lun;

        @Override
        public Integer call() throws Exception {
            var mapper = new ObjectMapper();
            var body = mapper.createObjectNode().put("spec", spec);
            if (lun != null) {
                body.put("lun", lun);
            }
            System.out.print(admin.client().call("POST", "luns", query(), body.toString()));
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a LUN (REPORTED LUNS DATA HAS CHANGED).")
    static final class Remove extends Base implements Callable<Integer> {
        @Parameters(paramLabel = "LUN")
        int lun;

        @Override
        public Integer call() throws Exception {
            admin.client().call("DELETE", "luns/" + lun, query(), null);
            System.out.println("removed LUN " + lun);
            return 0;
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
            return patch(lun, "size", size);
        }
    }

    @Command(name = "read-only", description = "Write-protect a LUN (true) or lift that (false).")
    static final class ReadOnly extends Base implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "LUN")
        int lun;

        @Parameters(index = "1", paramLabel = "true|false")
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
}
