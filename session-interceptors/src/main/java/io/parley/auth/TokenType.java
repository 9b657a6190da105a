package io.parley.auth;

/**
 * What a token stands for, carried in the JWT {@code typ} header (explicit typing, RFC 8725
 * section 3.11) so that one kind can never be accepted as the other.
 */
public enum TokenType {
  /** A user's session, issued by UserService.Login; {@code typ: at+jwt}. */
  USER("at+jwt"),
  /** A Parley service calling an internal method; {@code typ: svc+jwt}. */
  SERVICE("svc+jwt");

  private final String typ;

  TokenType(String typ) {
    this.typ = typ;
  }

  /** The JWT {@code typ} header value. */
  public String typ() {
    return typ;
  }

  static TokenType fromTyp(String typ) {
    for (TokenType type : values()) {
      if (type.typ.equalsIgnoreCase(typ)) {
        return type;
      }
    }
    return null;
  }
}
