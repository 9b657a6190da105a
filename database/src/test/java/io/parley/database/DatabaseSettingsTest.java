package io.parley.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {

  @Test
  void aLibpqUrlBecomesAJdbcUrlWithUserAndProperties() {
    DatabaseSettings s = DatabaseSettings.parse(
        "postgresql://parley@db1:5433,db2:5433/chat?sslmode=require&targetServerType=primary");
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5433,db2:5433/chat");
    assertThat(s.user()).isEqualTo("parley");
    assertThat(s.password()).isNull();
    assertThat(s.properties()).containsEntry("sslmode", "require").containsEntry("targetServerType", "primary");
  }

  @Test
  void aPasswordInTheUrlIsKeptButNeverShown() {
    DatabaseSettings s = DatabaseSettings.parse("postgres://app:s%40cret@localhost/chat");
    assertThat(s.password()).isEqualTo("s@cret");
    assertThat(s.toString()).doesNotContain("s@cret").doesNotContain("s%40cret").contains("password=***");
    assertThat(DatabaseSettings.redact("postgres://app:s%40cret@localhost/chat"))
        .isEqualTo("postgres://app:***@localhost/chat");
  }

  @Test
  void aPasswordFromElsewhereReplacesTheUrls() {
    assertThat(DatabaseSettings.parse("postgresql://app@localhost/chat").withPassword("x").password()).isEqualTo("x");
  }

  @Test
  void malformedUrlsAreRefusedWithoutShowingThePassword() {
    assertThatThrownBy(() -> DatabaseSettings.parse("mysql://app:hunter2@localhost/chat"))
        .hasMessageContaining("not a PostgreSQL URL")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> DatabaseSettings.parse("postgresql://app@bad host/chat"))
        .hasMessageContaining("bad host");
    assertThatThrownBy(() -> DatabaseSettings.parse("postgresql://app@localhost/chat?password=hunter2"))
        .hasMessageContaining("PARLEY_DATABASE_PASSWORD")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void poolSettingsAreChecked() {
    DatabaseSettings s = DatabaseSettings.parse("postgresql://localhost/chat");
    assertThatThrownBy(() -> s.withMaxPoolSize(0)).hasMessageContaining("maxPoolSize");
    assertThatThrownBy(() -> s.withConnectTimeout(java.time.Duration.ofMillis(10))).hasMessageContaining("250 ms");
  }
}
