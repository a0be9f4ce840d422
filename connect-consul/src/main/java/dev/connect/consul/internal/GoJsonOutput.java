package dev.connect.consul.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.Instantiatable;
import java.io.IOException;

/** Go's {@code encoding/json} output: its string escapes and {@code MarshalIndent(v, "", "    ")}. */
public final class GoJsonOutput {
  private GoJsonOutput() {}

  /** Go's escaping: {@code <}, {@code >}, {@code &}, U+2028, U+2029 and controls as six-character escapes. */
  public static final class Escapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii;

    /** Creates Go's escape table. */
    public Escapes() {
      int[] codes = CharacterEscapes.standardAsciiEscapesForJSON();
      for (int c = 0; c < 0x20; c++) {
        codes[c] = c == '\n' || c == '\r' || c == '\t' ? codes[c] : CharacterEscapes.ESCAPE_CUSTOM;
      }
      codes['<'] = CharacterEscapes.ESCAPE_CUSTOM;
      codes['>'] = CharacterEscapes.ESCAPE_CUSTOM;
      codes['&'] = CharacterEscapes.ESCAPE_CUSTOM;
      this.ascii = codes;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii.clone();
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }

  /** Go's {@code MarshalIndent} with a four-space indent: {@code "key": value}, {@code {}}, {@code []}. */
  public static final class Indent implements PrettyPrinter, Instantiatable<Indent> {
    private int level;

    @Override
    public Indent createInstance() {
      return new Indent();
    }

    private void newline(JsonGenerator g) throws IOException {
      g.writeRaw('\n');
      for (int i = 0; i < level; i++) {
        g.writeRaw("    ");
      }
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw('\n');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
      g.writeRaw('{');
      level++;
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
      level--;
      if (entries > 0) {
        newline(g);
      }
      g.writeRaw('}');
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(',');
      newline(g);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
      g.writeRaw('[');
      level++;
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
      level--;
      if (values > 0) {
        newline(g);
      }
      g.writeRaw(']');
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(',');
      newline(g);
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
      newline(g);
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) throws IOException {
      newline(g);
    }
  }
}
