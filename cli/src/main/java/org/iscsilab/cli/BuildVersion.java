package org.iscsilab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the version and the commit the jar was built from, both recorded at build
 * time; "unknown" where the build had no git repository (as inside the image's build stage).
 */
final class BuildVersion implements IVersionProvider {
    static final String RESOURCE = "/org/iscsilab/cli/build.properties";

    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the answer below says "unknown"
        }
        return new String[] {
            "iscsilab "
                    + known(p.getProperty("version"))
                    + " (commit "
                    + known(p.getProperty("commit"))
                    + ")"
        };
    }

    /** A value the build filled in, or "unknown" (unset, or a placeholder nobody replaced). */
    private static String known(String value) {
        return value == null || value.isBlank() || value.contains("${") ? "unknown" : value;
    }
}
