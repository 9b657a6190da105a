package io.parley.message;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a service's requests inside the call instead of before it, so that a request that
 * protobuf cannot decode fails INVALID_ARGUMENT, with a reason, like any other bad request.
 *
 * <p>grpc-java decodes a request before the interceptors see it, and closes the call with
 * UNKNOWN "Application error processing RPC" and no details when decoding throws: a request nested
 * deeper than protobuf's limit of 100 messages (custom content's {@code google.protobuf.Struct}
 * is the one recursive part of a request), or one that is not protobuf at all. Here the transport
 * hands over the request's bytes, and the decoding runs in the listener's {@code onMessage}, where
 * the platform's exception interceptor catches what it throws.
 *
 * <p>It costs one copy of each request's bytes. Method names, schema descriptors (and with them
 * the auth options) and the response marshallers are those of the service. Thread-safe.
 */
final class RequestDecoding {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RequestDecoding() {}

  /** {@code service}, with every method's request decoded in the call. */
  static ServerServiceDefinition inCall(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<byte[], ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<byte[], ?> decoding = decodingInCall(method);
      descriptor.addMethod(decoding.getMethodDescriptor());
      methods.add(decoding);
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<byte[], RespT> decodingInCall(
      ServerMethodDefinition<ReqT, RespT> method) {
    MethodDescriptor<ReqT, RespT> original = method.getMethodDescriptor();
    MethodDescriptor<byte[], RespT> bytes = original.toBuilder(BYTES, original.getResponseMarshaller()).build();
    ServerCallHandler<byte[], RespT> handler = (call, headers) -> {
      ServerCall.Listener<ReqT> listener = method.getServerCallHandler().startCall(new DecodedCall<>(call, original),
          headers);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          listener.onMessage(decode(original, message));
        }

        @Override
        public void onHalfClose() {
          listener.onHalfClose();
        }

        @Override
        public void onCancel() {
          listener.onCancel();
        }

        @Override
        public void onComplete() {
          listener.onComplete();
        }

        @Override
        public void onReady() {
          listener.onReady();
        }
      };
    };
    return ServerMethodDefinition.create(bytes, handler);
  }

  private static <ReqT> ReqT decode(MethodDescriptor<ReqT, ?> method, byte[] message) {
    try {
      return method.parseRequest(new ByteArrayInputStream(message));
    } catch (RuntimeException e) {
      throw ParleyException.builder(ErrorReason.INVALID_ARGUMENT)
          .message("the request of " + method.getFullMethodName() + " cannot be decoded: it is not valid "
              + "protobuf, or it nests messages more than 100 deep")
          .cause(e)
          .build();
    }
  }

  /** The transport's call, as the service's handler sees it: with the service's own method descriptor. */
  private static final class DecodedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
    private final ServerCall<byte[], RespT> call;
    private final MethodDescriptor<ReqT, RespT> method;

    DecodedCall(ServerCall<byte[], RespT> call, MethodDescriptor<ReqT, RespT> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }
}
