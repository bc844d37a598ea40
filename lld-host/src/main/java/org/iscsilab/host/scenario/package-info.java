/**
 * The scenarios of the 2017 race under each fix policy, against an embedded or a remote target,
 * with their reports.
 */
package org.iscsilab.host.scenario;
