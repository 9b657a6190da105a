package io.parley.gateway;

import com.google.protobuf.Message;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.user.v1.UserServiceGrpc;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Stand-ins for the four Parley services, built from their generated descriptors (so the session
 * interceptor reads each method's real auth option): every unary method answers with a
 * {@linkplain Samples sample} response, every streaming one with two sample messages, and each
 * call is recorded with its request.
 */
final class SampleUpstream {
  /** One call as the service received it. */
  record Call(String method, Message request) {}

  static final List<ServiceDescriptor> SERVICES = List.of(
      UserServiceGrpc.getServiceDescriptor(),
      FriendServiceGrpc.getServiceDescriptor(),
      GroupServiceGrpc.getServiceDescriptor(),
      MessageServiceGrpc.getServiceDescriptor());

  final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

  /** One bindable service per Parley service. */
  List<BindableService> services() {
    return SERVICES.stream().map(this::service).toList();
  }

  private BindableService service(ServiceDescriptor descriptor) {
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor);
    for (MethodDescriptor<?, ?> method : descriptor.getMethods()) {
      add(definition, method);
    }
    ServerServiceDefinition built = definition.build();
    return () -> built;
  }

  private <ReqT, RespT> void add(ServerServiceDefinition.Builder definition, MethodDescriptor<ReqT, RespT> method) {
    Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getResponseMarshaller())
        .getMessagePrototype();
    @SuppressWarnings("unchecked")
    RespT sample = (RespT) Samples.of(prototype);
    String name = method.getFullMethodName();
    if (method.getType() == MethodDescriptor.MethodType.UNARY) {
      definition.addMethod(method, ServerCalls.asyncUnaryCall((request, response) -> {
        calls.add(new Call(name, (Message) request));
        response.onNext(sample);
        response.onCompleted();
      }));
    } else {
      definition.addMethod(method, ServerCalls.asyncServerStreamingCall((request, response) -> {
        calls.add(new Call(name, (Message) request));
        response.onNext(sample);
        response.onNext(sample);
        response.onCompleted();
      }));
    }
  }
}
