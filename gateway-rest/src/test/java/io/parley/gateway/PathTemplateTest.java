package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {
  private static Map<String, String> match(String template, String path) {
    List<String> raw = List.of(path.substring(1).split("/", -1));
    List<String> decoded = new ArrayList<>();
    raw.forEach(segment -> decoded.add(PathTemplate.decode(segment, false)));
    return PathTemplate.parse(template).match(raw, decoded);
  }

  @Test
  void literalSegmentsMatchExactly() {
    assertThat(match("/v1/users/me", "/v1/users/me")).isEmpty();
    assertThat(match("/v1/users/me", "/v1/users/you")).isNull();
    assertThat(match("/v1/users/me", "/v1/users/me/x")).isNull();
  }

  @Test
  void variableBindsOneNonEmptySegmentFullyDecoded() {
    assertThat(match("/v1/users/{user_id}", "/v1/users/u%2F1%20x")).containsEntry("user_id", "u/1 x");
    assertThat(match("/v1/users/{user_id}", "/v1/users/")).isNull();
  }

  @Test
  void nestedFieldPathsAreVariableNames() {
    assertThat(match("/v1/groups/{group.group_id}", "/v1/groups/g1")).containsEntry("group.group_id", "g1");
  }

  @Test
  void variableWithPatternSpansSegmentsAndKeepsEncodedSlashes() {
    Map<String, String> values = match("/v1/{name=shelves/*/books/*}", "/v1/shelves/s%2F1/books/b1");
    assertThat(values).containsEntry("name", "shelves/s%2F1/books/b1");
    assertThat(match("/v1/{name=shelves/*/books/*}", "/v1/racks/s1/books/b1")).isNull();
  }

  @Test
  void doubleStarMatchesZeroOrMoreSegments() {
    assertThat(match("/v1/files/{path=**}", "/v1/files/a/b/c.txt")).containsEntry("path", "a/b/c.txt");
    assertThat(match("/v1/files/{path=**}", "/v1/files")).containsEntry("path", "");
    assertThat(match("/v1/any/**", "/v1/any/x/y")).isEmpty();
  }

  @Test
  void verbIsSplitFromTheLastSegment() {
    PathTemplate template = PathTemplate.parse("/v1/{name=shelves/*}:describe");
    assertThat(template.verb()).isEqualTo("describe");
    assertThat(template.segments()).hasSize(3);
    assertThat(PathTemplate.parse("/v1/users:register").verb()).isEqualTo("register");
    assertThat(PathTemplate.parse("/v1/users/{id}").verb()).isNull();
  }

  @Test
  void moreLiteralTemplatesSortFirst() {
    List<PathTemplate> templates = new ArrayList<>(List.of(
        PathTemplate.parse("/v1/{a=**}"),
        PathTemplate.parse("/v1/users/{id}"),
        PathTemplate.parse("/v1/users/me"),
        PathTemplate.parse("/v1/*/me")));
    templates.sort(PathTemplate.MOST_SPECIFIC_FIRST);
    assertThat(templates).extracting(PathTemplate::text)
        .containsExactly("/v1/users/me", "/v1/users/{id}", "/v1/*/me", "/v1/{a=**}");
  }

  @Test
  void shapeIgnoresVariableNames() {
    assertThat(PathTemplate.parse("/v1/groups/{group_id}").shape())
        .isEqualTo(PathTemplate.parse("/v1/groups/{group.group_id}").shape())
        .isEqualTo("/v1/groups/*");
  }

  @Test
  void malformedTemplatesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> PathTemplate.parse("v1/users")).hasMessageContaining("must start with /");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{id")).hasMessageContaining("unbalanced");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/**/x")).hasMessageContaining("** may only be the last");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{a}/{a}")).hasMessageContaining("bound twice");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/x{a}")).hasMessageContaining("bad segment 'x{a}'");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{a}x")).hasMessageContaining("whole segment");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{a=b/{c}}")).hasMessageContaining("cannot nest");
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{1a}")).hasMessageContaining("bad field path");
  }

  @Test
  void malformedEscapesDecodeToNull() {
    assertThat(PathTemplate.decode("a%2", false)).isNull();
    assertThat(PathTemplate.decode("a%zz", false)).isNull();
    assertThat(PathTemplate.decode("caf%C3%A9", false)).isEqualTo("café");
    assertThat(PathTemplate.decode("a%2fb", true)).isEqualTo("a%2Fb");
  }
}
