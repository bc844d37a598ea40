package org.iscsilab.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iscsilab completion bash|zsh}: the shell completion script picocli generates from the
 * command tree, e.g. {@code source <(iscsilab completion bash)}.
 */
@Command(
        name = "completion",
        description = "Print a shell completion script: source <(iscsilab completion bash).")
public final class CompletionCommand implements Callable<Integer> {
    /** The shells picocli's script serves. */
    enum Shell {
        bash,
        zsh
    }

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash(root.getCommandName(), root);
        if (shell == Shell.zsh) {
            // the bash script runs in zsh through zsh's bash completion emulation
            script =
                    "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
                            + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return CliErrors.SUCCESS;
    }
}
