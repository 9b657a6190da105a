package io.parley.gateway;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.parley.server.RequestIds;
import java.util.Iterator;

/**
 * Calls to any method of any service from its descriptor, with dynamic messages, as a generic
 * client (grpcurl, say) makes them: each returns the status the call ended with.
 */
final class DynamicCalls {
  private DynamicCalls() {}

  /**
   * A call to {@code method}, unary or, for a server stream, until its first message (then it is
   * cancelled, and OK is returned).
   *
   * @param authorization the {@code authorization} metadata, or null for none
   * @param requestId the {@code x-request-id} metadata, to find the call in the server's log
   */
  static Status call(Channel channel, MethodDescriptor method, String authorization, DynamicMessage request,
      String requestId, CallOptions options) {
    Channel withHeaders = withHeaders(channel, authorization, requestId);
    if (!method.isServerStreaming()) {
      try {
        ClientCalls.blockingUnaryCall(withHeaders, grpcMethod(method), options, request);
        return Status.OK;
      } catch (StatusRuntimeException e) {
        return e.getStatus();
      }
    }
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      return context.call(() -> {
        try {
          Iterator<DynamicMessage> stream = ClientCalls.blockingServerStreamingCall(withHeaders, grpcMethod(method),
              options, request);
          stream.hasNext();
          return Status.OK;
        } catch (StatusRuntimeException e) {
          return e.getStatus();
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      context.cancel(null);
    }
  }

  private static Channel withHeaders(Channel channel, String authorization, String requestId) {
    Metadata headers = new Metadata();
    headers.put(RequestIds.METADATA_KEY, requestId);
    if (authorization != null) {
      headers.put(ForwardedHeaders.AUTHORIZATION, authorization);
    }
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(MethodDescriptor method) {
    return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(method.isServerStreaming() ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
            : io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(method.getService().getFullName(),
            method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
  }
}
