package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.AnnotationsProto;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.netty.handler.codec.http.HttpMethod;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.AuthProto;
import io.parley.error.ParleyException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static final ServiceCatalog PARLEY = ServiceCatalog.of(ServiceCatalog.parleyDescriptorSet());
  private static final Router ROUTER = Router.of(PARLEY);

  private static Router.Resolution resolve(String verb, String pathAndQuery) {
    int query = pathAndQuery.indexOf('?');
    return ROUTER.resolve(HttpMethod.valueOf(verb), query < 0 ? pathAndQuery : pathAndQuery.substring(0, query));
  }

  @Test
  void everyRowOfTheGoldenTableReachesItsMethod() {
    for (ParleyRouteTable.Row row : ParleyRouteTable.ROWS) {
      assertThat(resolve(row.verb(), row.path()))
          .as(row.toString())
          .isInstanceOfSatisfying(Router.Matched.class,
              matched -> assertThat(matched.route().fullMethodName()).isEqualTo(row.method()));
    }
  }

  @Test
  void goldenTableCoversEveryBindingOfEveryPublicMethod() {
    int bindings = 0;
    Set<String> annotated = new HashSet<>();
    for (ServiceDescriptor service : PARLEY.services()) {
      for (MethodDescriptor method : service.getMethods()) {
        AuthLevel auth = method.getOptions().getExtension(AuthProto.auth);
        if (method.getOptions().hasExtension(AnnotationsProto.http) && auth != AuthLevel.INTERNAL) {
          annotated.add(service.getFullName() + "/" + method.getName());
          bindings += 1 + method.getOptions().getExtension(AnnotationsProto.http).getAdditionalBindingsCount();
        }
      }
    }
    assertThat(ParleyRouteTable.ROWS).extracting(ParleyRouteTable.Row::method).containsAll(annotated);
    assertThat(annotated).hasSize(64);
    assertThat(ROUTER.routes()).hasSize(bindings).hasSize(ParleyRouteTable.ROWS.size());
    assertThat(ROUTER.serviceNames()).containsExactly("parley.user.v1.UserService",
        "parley.friend.v1.FriendService", "parley.group.v1.GroupService", "parley.message.v1.MessageService");
  }

  @Test
  void internalMethodsHaveNoRoute() {
    assertThat(ROUTER.routes()).extracting(Route::fullMethodName).doesNotContainAnyElementsOf(ParleyRouteTable.INTERNAL_METHODS);
  }

  @Test
  void literalSegmentsBeatVariables() {
    assertThat(((Router.Matched) resolve("GET", "/v1/users/me")).route().method().getName()).isEqualTo("GetMe");
    assertThat(((Router.Matched) resolve("GET", "/v1/users/mel")).route().method().getName()).isEqualTo("GetUser");
    assertThat(((Router.Matched) resolve("DELETE", "/v1/sessions/current")).route().method().getName()).isEqualTo("Logout");
    assertThat(((Router.Matched) resolve("DELETE", "/v1/sessions/s9")).route().method().getName()).isEqualTo("RevokeSession");
  }

  @Test
  void pathVariablesAreDecoded() {
    Router.Matched matched = (Router.Matched) resolve("GET", "/v1/users/caf%C3%A9%2F1");
    assertThat(matched.variables()).containsEntry("user_id", "café/1");
  }

  @Test
  void wrongMethodListsTheAllowedOnes() {
    assertThat(resolve("PUT", "/v1/users/me")).isEqualTo(new Router.MethodNotAllowed(Set.of(HttpMethod.GET, HttpMethod.PATCH)));
    assertThat(resolve("GET", "/v1/sessions/current")).isEqualTo(new Router.MethodNotAllowed(Set.of(HttpMethod.DELETE)));
    assertThat(resolve("GET", "/v1/users:register")).isEqualTo(new Router.MethodNotAllowed(Set.of(HttpMethod.POST)));
  }

  @Test
  void unknownPathsAndVerbsAreNotFound() {
    assertThat(resolve("GET", "/v1/nope")).isInstanceOf(Router.NotFound.class);
    assertThat(resolve("POST", "/v1/users:explode")).isInstanceOf(Router.NotFound.class);
    assertThat(resolve("GET", "/v1/users/")).isInstanceOf(Router.NotFound.class);
    assertThat(resolve("GET", "v1/users")).isInstanceOf(Router.NotFound.class);
  }

  @Test
  void malformedEscapeIsABadRequest() {
    assertThatThrownBy(() -> resolve("GET", "/v1/users/%zz"))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.getMessage()).contains("percent-encoding"));
  }

  @Test
  void echoServiceBindsEveryTemplateShape() {
    Router echo = Router.of(ServiceCatalog.of(TestPlatforms.echoDescriptorSet()));
    Router.Matched matched = (Router.Matched) echo.resolve(HttpMethod.GET, "/v1/shelves/s1/books/b1:describe");
    assertThat(matched.variables()).containsEntry("name", "shelves/s1/books/b1");
    matched = (Router.Matched) echo.resolve(HttpMethod.GET, "/v1/files/a/b/c");
    assertThat(matched.variables()).containsEntry("path", "a/b/c");
    matched = (Router.Matched) echo.resolve(HttpMethod.POST, "/v1/echo/x1:shout");
    assertThat(matched.route().bindingIndex()).isEqualTo(3);
    assertThat(matched.variables()).containsEntry("id", "x1");
    matched = (Router.Matched) echo.resolve(HttpMethod.GET, "/v1/echo/special");
    assertThat(matched.route().method().getName()).isEqualTo("EchoSpecial");
    assertThat(echo.resolve(HttpMethod.GET, "/v1/internal/x")).isInstanceOf(Router.NotFound.class);
  }

  @Test
  void ambiguousBindingsFailAtStartUp() {
    Route first = Route.of(HttpMethod.GET, "/v1/users/{user_id}", userMethod("GetUser"), 0, "", "", AuthLevel.SESSION);
    Route second = Route.of(HttpMethod.GET, "/v1/users/*", userMethod("GetMe"), 0, "", "", AuthLevel.SESSION);
    assertThatThrownBy(() -> new Router(List.of(first, second))).hasMessageContaining("ambiguous routes");
  }

  @Test
  void bindingsNamingMissingFieldsFailAtStartUp() {
    assertThatThrownBy(() -> Route.of(HttpMethod.GET, "/v1/users/{nope}", userMethod("GetUser"), 0, "", "", AuthLevel.SESSION))
        .hasMessageContaining("no field nope");
    assertThatThrownBy(() -> Route.of(HttpMethod.POST, "/v1/users", userMethod("GetUser"), 0, "nope", "", AuthLevel.SESSION))
        .hasMessageContaining("body names no top-level field");
    assertThatThrownBy(() -> Route.of(HttpMethod.GET, "/v1/users/{user_id}", userMethod("GetUser"), 0, "", "nope",
        AuthLevel.SESSION)).hasMessageContaining("response_body");
  }

  private static MethodDescriptor userMethod(String name) {
    return PARLEY.service("parley.user.v1.UserService").findMethodByName(name);
  }
}
