package io.parley.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.ErrorReasonProto;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorReasonsTest {
  private static ErrorReason[] reasons() {
    return Arrays.stream(ErrorReason.values()).filter(r -> r != ErrorReason.UNRECOGNIZED).toArray(ErrorReason[]::new);
  }

  @Test
  void everyReasonNamesItsCodeInTheProto() {
    for (ErrorReason reason : reasons()) {
      assertThat(reason.getValueDescriptor().getOptions().hasExtension(ErrorReasonProto.code))
          .as("%s has a (parley.common.v1.code) option", reason).isTrue();
    }
  }

  @Test
  void codesComeFromTheTable() {
    assertThat(ErrorReasons.code(ErrorReason.SESSION_KICKED)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(ErrorReasons.code(ErrorReason.SESSION_STORE_UNAVAILABLE)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(ErrorReasons.code(ErrorReason.SERVICE_CREDENTIAL_REQUIRED)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(ErrorReasons.code(ErrorReason.USERNAME_TAKEN)).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(ErrorReasons.code(ErrorReason.LOGIN_THROTTLED)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(ErrorReasons.code(ErrorReason.UNRECOGNIZED)).isEqualTo(Status.Code.UNKNOWN);
  }

  @Test
  void everyCredentialAndSessionReasonIsUnauthenticated() {
    for (ErrorReason reason : reasons()) {
      if (reason.name().startsWith("TOKEN_") || (reason.name().startsWith("SESSION_")
          && reason != ErrorReason.SESSION_STORE_UNAVAILABLE && reason != ErrorReason.SESSION_ID_NOT_FOUND)) {
        assertThat(ErrorReasons.code(reason)).as(reason.name()).isEqualTo(Status.Code.UNAUTHENTICATED);
      }
    }
  }

  @Test
  void everyReasonHasAnEnglishAndAChineseText() {
    for (ErrorReason reason : reasons()) {
      assertThat(LocalizedMessages.templateOrNull(reason, Locale.ROOT)).as("en text of %s", reason).isNotBlank();
      assertThat(LocalizedMessages.templateOrNull(reason, Locale.SIMPLIFIED_CHINESE)).as("zh-CN text of %s", reason)
          .isNotBlank();
    }
  }

  @Test
  void languageIsChosenFromAcceptLanguage() {
    assertThat(LocalizedMessages.select("zh-TW, zh;q=0.8")).isEqualTo(Locale.SIMPLIFIED_CHINESE);
    assertThat(LocalizedMessages.select("de, en;q=0.5")).isEqualTo(Locale.ENGLISH);
    assertThat(LocalizedMessages.select(null)).isEqualTo(Locale.ENGLISH);
    assertThat(LocalizedMessages.message(ErrorReason.USER_NOT_FOUND, Locale.ENGLISH, Map.of()))
        .isEqualTo("This user does not exist.");
  }

  @Test
  void placeholdersAreFilledFromMetadataAndUnknownOnesStay() {
    assertThat(LocalizedMessages.fill("muted until {mute_until}, see {other}", Map.of("mute_until", "2030-01-01")))
        .isEqualTo("muted until 2030-01-01, see {other}");
    assertThat(LocalizedMessages.fill("cost $5 {x}", Map.of("x", "a$1\\b"))).isEqualTo("cost $5 a$1\\b");
  }
}
