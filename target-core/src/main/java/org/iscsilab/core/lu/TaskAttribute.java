package org.iscsilab.core.lu;

/** SAM-5 §8.6 task attributes, numbered as RFC 7143 §11.3.1 carries them in ATTR. */
public enum TaskAttribute {
    UNTAGGED(0),
    SIMPLE(1),
    ORDERED(2),
    HEAD_OF_QUEUE(3),
    ACA(4);

    private static final TaskAttribute[] ALL = values(); // values() clones its array on every call

    private final int code;

    TaskAttribute(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static TaskAttribute fromCode(int code) {
        for (TaskAttribute a : ALL) {
            if (a.code == code) {
                return a;
            }
        }
        return SIMPLE;
    }
}
