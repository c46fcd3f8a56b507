"""What the users API reads and answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Nickname = Field(min_length=1, max_length=64, description="Shown in the app.")


class SignupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=8, max_length=256, description="8 characters or more.")
    nickname: str = Nickname


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class ProfilePatch(BaseModel):
    """Only the fields sent change; ``district: null`` clears it."""

    model_config = ConfigDict(extra="forbid")

    nickname: str | None = Field(None, min_length=1, max_length=64)
    district: str | None = Field(None, min_length=1, max_length=64, description="e.g. 강남구.")


class UserView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: str
    email: str | None
    nickname: str
    district: str | None
    created_at: datetime
