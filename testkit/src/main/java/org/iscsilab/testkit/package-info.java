/**
 * The test author's kit: {@link org.iscsilab.testkit.IscsiTarget}, a target for one test from a
 * fluent description; {@link org.iscsilab.testkit.BlockDevice}, a LUN as a disk that handles unit
 * attentions and retries as Linux does and reports failures as {@link
 * org.iscsilab.testkit.ScsiCommandException}; typed fault rules ({@link
 * org.iscsilab.testkit.Faults}) and event queries; {@link org.iscsilab.testkit.TargetControl}, one
 * control interface in the JVM and over the admin API; and {@link
 * org.iscsilab.testkit.IscsiTargetExtension} for JUnit 5 suites.
 */
package org.iscsilab.testkit;
