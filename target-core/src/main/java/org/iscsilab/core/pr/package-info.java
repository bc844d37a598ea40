/** Persistent and SPC-2 reservations (SPC-5 §5.14), with APTPL state kept beside file images. */
package org.iscsilab.core.pr;
