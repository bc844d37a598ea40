/**
 * IscsiTargetContainer: the iscsilab target image in JUnit suites, with LUNs, CHAP, fault rules and
 * typed events.
 */
package org.iscsilab.testcontainers;
