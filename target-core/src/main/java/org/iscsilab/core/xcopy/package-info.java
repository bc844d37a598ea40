/** Third-party copy (SPC-5 EXTENDED COPY LID1, RECEIVE COPY RESULTS) and its copy manager. */
package org.iscsilab.core.xcopy;
