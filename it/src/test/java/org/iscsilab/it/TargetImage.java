package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.iscsilab.testcontainers.IscsiTargetContainer;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The target image of docker/Dockerfile, built once per run from its "prebuilt" stage with the jar
 * this build made, on the JRE image ISCSILAB_JRE_IMAGE names (a public one by default). Containers
 * share the host's network when ISCSILAB_CONTAINER_NETWORK=host.
 */
final class TargetImage {
    private static ImageFromDockerfile image;

    private TargetImage() {}

    /** Skips (or, with ISCSILAB_REQUIRE_EXTERNAL=1, fails) when no container engine answers. */
    static void requireEngine() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            String message =
                    "no container engine (Docker or Podman's Docker API via DOCKER_HOST) is available";
            if ("1".equals(System.getenv(ExternalProgram.REQUIRE_ENV))) {
                fail(message + " and " + ExternalProgram.REQUIRE_ENV + "=1 requires one");
            }
            Assumptions.abort(message);
        }
    }

    static synchronized ImageFromDockerfile image() {
        if (image == null) {
            image =
                    new ImageFromDockerfile("localhost/iscsilab/target-it", false)
                            .withFileFromPath(
                                    "Dockerfile",
                                    Path.of(System.getProperty("iscsilab.dockerfile")))
                            .withFileFromPath("iscsilab.jar", IscsilabJar.path())
                            .withTarget("prebuilt")
                            .withBuildArg(
                                    "JRE_IMAGE",
                                    System.getenv()
                                            .getOrDefault(
                                                    "ISCSILAB_JRE_IMAGE",
                                                    "eclipse-temurin:17-jre"));
        }
        return image;
    }

    /**
     * A target container on this run's image: host networking on free loopback ports, or mapped
     * ports.
     */
    static IscsiTargetContainer container() throws IOException {
        IscsiTargetContainer c = new IscsiTargetContainer(image());
        if ("host".equals(System.getenv("ISCSILAB_CONTAINER_NETWORK"))) {
            c.withHostNetwork(freePort(), freePort());
        }
        return c;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
