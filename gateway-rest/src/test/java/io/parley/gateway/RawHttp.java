package io.parley.gateway;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 by hand on a socket, for what {@code java.net.http} will not send (malformed requests,
 * pipelining, slow senders) and for reading answers exactly as they come.
 */
final class RawHttp {
  private RawHttp() {}

  /**
   * An answer as it came off the wire.
   *
   * @param headers header names in lower case; a repeated header's values joined with ", "
   */
  record Response(int status, String statusLine, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return JsonParser.parseString(text()).getAsJsonObject();
    }

    /** The reason of the AIP-193 body's ErrorInfo, or null. */
    String reason() {
      for (var detail : json().getAsJsonObject("error").getAsJsonArray("details")) {
        JsonObject object = detail.getAsJsonObject();
        if (object.get("@type").getAsString().endsWith("google.rpc.ErrorInfo")) {
          return object.get("reason").getAsString();
        }
      }
      return null;
    }

    boolean closesConnection() {
      String connection = header("connection");
      return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
    }

    @Override
    public String toString() {
      String text = text();
      return statusLine + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }
  }

  /** One connection. Not thread-safe. */
  static final class Connection implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** Connects to the gateway on localhost; reads time out after {@code readTimeoutMillis}. */
    static Connection open(int port, int readTimeoutMillis) {
      try {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        return new Connection(socket);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A connection on a socket already connected. */
    static Connection wrap(Socket socket) {
      try {
        return new Connection(socket);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    Socket socket() {
      return socket;
    }

    void send(String text) throws IOException {
      send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /**
     * Reads one answer, skipping 1xx ones; {@code head} says the request was a HEAD (no body).
     *
     * @throws EOFException if the connection closes before an answer starts
     */
    Response read(boolean head) throws IOException {
      while (true) {
        Response response = readOne(head);
        if (response.status() >= 200 || response.status() == 101) {
          return response;
        }
      }
    }

    Response read() throws IOException {
      return read(false);
    }

    /** Whether the gateway has closed the connection: end of stream (or a reset) within the read timeout. */
    boolean isClosedByPeer() throws IOException {
      try {
        return in.read() == -1;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    private Response readOne(boolean head) throws IOException {
      String statusLine = readLine(true);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not a status line: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(false); !line.isEmpty(); line = readLine(false)) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("not a header line: " + line);
        }
        headers.merge(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip(),
            (a, b) -> a + ", " + b);
      }
      byte[] body;
      if (head || status < 200 || status == 204 || status == 304) {
        body = new byte[0];
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        body = readChunked(isStream(headers));
      } else if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else {
        body = in.readAllBytes();
      }
      return new Response(status, statusLine, headers, body);
    }

    private static boolean isStream(Map<String, String> headers) {
      String type = headers.getOrDefault("content-type", "");
      return type.startsWith("text/event-stream") || type.startsWith("application/x-ndjson");
    }

    /** A chunked body; of a stream, only its first chunk (the stream stays open). */
    private byte[] readChunked(boolean firstOnly) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(false);
        int semicolon = sizeLine.indexOf(';');
        int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
        if (size == 0) {
          while (!readLine(false).isEmpty()) {
            // trailers
          }
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        readLine(false);
        if (firstOnly) {
          return body.toByteArray();
        }
      }
    }

    private String readLine(boolean first) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        int b = in.read();
        if (b == -1) {
          if (first && line.size() == 0) {
            throw new EOFException("the connection closed before an answer");
          }
          throw new EOFException("the connection closed in the middle of an answer: " + line);
        }
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        line.write(b);
        if (line.size() > 64 * 1024) {
          throw new IOException("an answer's line is longer than 64 KiB");
        }
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  /** Sends {@code requests} in one write and reads one answer for each, or until the connection closes. */
  static List<Response> pipeline(Connection connection, List<String> requests) throws IOException {
    connection.send(String.join("", requests));
    List<Response> responses = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      try {
        responses.add(connection.read(requests.get(i).startsWith("HEAD ")));
      } catch (EOFException e) {
        break;
      }
    }
    return responses;
  }
}
