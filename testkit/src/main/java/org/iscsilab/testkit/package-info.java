/**
 * The test author's kit: {@link org.iscsilab.testkit.BlockDevice}, a disk over the bundled Java
 * initiator for tests that are not about SCSI, which handles unit attentions and retries as Linux
 * does and reports a failed command as a {@link org.iscsilab.testkit.ScsiCommandException}.
 */
package org.iscsilab.testkit;
