package io.parley.bench;

import io.grpc.stub.StreamObserver;
import io.parley.bench.v1.EchoRequest;
import io.parley.bench.v1.EchoResponse;
import io.parley.bench.v1.EchoServiceGrpc;
import io.parley.session.Session;
import io.parley.session.Sessions;

/** The benchmark fixture: one trivial handler behind a session-checked and a public method. */
final class EchoServiceImpl extends EchoServiceGrpc.EchoServiceImplBase {
  @Override
  public void echo(EchoRequest request, StreamObserver<EchoResponse> response) {
    respond(request, response);
  }

  @Override
  public void echoPublic(EchoRequest request, StreamObserver<EchoResponse> response) {
    respond(request, response);
  }

  private static void respond(EchoRequest request, StreamObserver<EchoResponse> response) {
    Session session = Sessions.currentOrNull();
    response.onNext(EchoResponse.newBuilder()
        .setText(request.getText())
        .setUserId(session == null ? "" : session.userId())
        .build());
    response.onCompleted();
  }
}
