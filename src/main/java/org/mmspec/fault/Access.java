package org.mmspec.fault;

/** The kind of memory access that faulted, as the x86_64 error code's W/R and I/D bits tell it. */
public enum Access {
    READ, WRITE, EXECUTE
}
