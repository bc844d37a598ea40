package org.iscsilab.server;

import java.util.List;
import org.iscsilab.server.config.TargetConfig;

/**
 * Configurations the tests of this package start: one portal, one target, one LUN, no admin API.
 */
final class TestConfigs {
    private TestConfigs() {}

    static TargetConfig onePortal(String listen, String advertise, String iqn, String lun) {
        return portals(List.of(new TargetConfig.Portal(listen, advertise)), iqn, lun);
    }

    /** These portals, one target, one LUN, no admin API. */
    static TargetConfig portals(List<TargetConfig.Portal> portals, String iqn, String lun) {
        return new TargetConfig(
                        portals,
                        "off",
                        0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(
                                new TargetConfig.Node(
                                        iqn,
                                        null,
                                        List.of(lun),
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null)))
                .withDefaults();
    }
}
