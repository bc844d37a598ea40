package org.iscsilab.guest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds (or finds cached) every guest image before the guest suites run in a network namespace
 * without the network: the build fetches Debian's packages. When host programs are missing it only
 * says so; the guest suites then skip, or fail when ISCSILAB_REQUIRE_EXTERNAL=1. A failed build is
 * reported and left for the suites to report again.
 */
public final class PrepareGuestImages {
    private PrepareGuestImages() {}

    public static void main(String[] args) {
        List<String> missing =
                GuestImage.hostPrograms().entrySet().stream()
                        .filter(e -> !onPath(e.getKey()))
                        .map(Map.Entry::getKey)
                        .toList();
        if (!missing.isEmpty()) {
            System.out.println(
                    "guest image: not built, missing "
                            + String.join(" ", missing)
                            + " (apt-get install "
                            + String.join(
                                    " ",
                                    GuestImage.hostPrograms().entrySet().stream()
                                            .filter(e -> missing.contains(e.getKey()))
                                            .map(Map.Entry::getValue)
                                            .distinct()
                                            .toList())
                            + ")");
            return;
        }
        for (String series : GuestImage.SERIES) {
            try {
                GuestImage image = GuestImage.ensure(series);
                System.out.println("guest image " + series + ": " + image.kernelRelease());
            } catch (Exception e) {
                System.out.println(
                        "guest image "
                                + series
                                + ": build failed, the guest suites will report it: "
                                + e.getMessage());
            }
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
