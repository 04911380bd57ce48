package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

/** {@link Encoding}'s long arrays: read back into an array of the written length, refused into any other. */
class EncodingTest {

    private static DataInputStream written(long... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Encoding.writeLongs(values, new DataOutputStream(bytes));
        return new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    }

    @Test
    void longsReadBackIntoAnArrayOfTheirLength() throws IOException {
        long[] into = new long[3];
        Encoding.fillLongs(into, written(-1, 0, Long.MAX_VALUE));
        assertThat(into).containsExactly(-1, 0, Long.MAX_VALUE);
    }

    @Test
    void longsOfAnotherLengthAreRefusedWithoutTouchingTheArray() throws IOException {
        long[] into = {7, 7, 7};
        DataInputStream fewer = written(1, 2);
        assertThatThrownBy(() -> Encoding.fillLongs(into, fewer)).isInstanceOf(IOException.class)
                .hasMessage("2 values where this configuration has 3");
        DataInputStream more = written(1, 2, 3, 4);
        assertThatThrownBy(() -> Encoding.fillLongs(into, more)).isInstanceOf(IOException.class)
                .hasMessage("4 values where this configuration has 3");
        assertThat(into).containsExactly(7, 7, 7);
    }
}
