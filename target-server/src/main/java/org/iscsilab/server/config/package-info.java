/** The YAML configuration file, the target configuration it describes, and HOST:PORT addresses. */
package org.iscsilab.server.config;
