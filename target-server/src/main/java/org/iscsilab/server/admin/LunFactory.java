package org.iscsilab.server.admin;

import java.io.IOException;
import org.iscsilab.core.LunSpec;
import org.iscsilab.core.lu.LogicalUnit;

/**
 * Creates a logical unit from a parsed LUN spec ("ram:1G,thin"), as the target's command line does.
 */
@FunctionalInterface
public interface LunFactory {
    LogicalUnit create(int lun, String targetName, LunSpec spec) throws IOException;
}
