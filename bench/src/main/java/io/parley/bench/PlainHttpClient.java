package io.parley.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The bench's measuring instrument for HTTP: one blocking keep-alive HTTP/1.1 connection, GET
 * only, responses with a Content-Length (all the gateway's unary answers have one). It does what
 * wrk does and nothing more, so that the figures are the server's: the JDK's HttpClient spends
 * about as much CPU per request on its own asynchronous machinery as the gateway does. Not
 * thread-safe: one per load thread.
 */
final class PlainHttpClient implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] requestPrefix;
  private final byte[] buffer = new byte[16 * 1024];

  PlainHttpClient(String host, int port, String path) throws IOException {
    this.socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.requestPrefix = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends the GET with {@code authorization} and returns the status code, reading the whole body. */
  int get(String authorization) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream(512);
    request.write(requestPrefix);
    request.write(("Authorization: " + authorization + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(request.toByteArray());
    out.flush();

    String statusLine = readLine();
    int status = Integer.parseInt(statusLine.substring(9, 12));
    int length = -1;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (length < 0) {
      throw new IOException("response without Content-Length: " + statusLine);
    }
    for (int read = 0; read < length; ) {
      int n = in.read(buffer, 0, Math.min(buffer.length, length - read));
      if (n < 0) {
        throw new IOException("connection closed mid-body");
      }
      read += n;
    }
    return status;
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
