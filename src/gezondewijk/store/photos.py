"""Residents' photos (photovoice) as stored: add, review, list and delete.

A photo is stored only as :func:`gezondewijk.leefplekmeter.photos.clean_photo` rewrote it;
it is shown publicly (the buurt's fact sheet, the photo's own address) only after one of
the campaign's organisers approved it.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gezondewijk._errors import PhotoLimitError
from gezondewijk.leefplekmeter.moderation import REVIEWS
from gezondewijk.leefplekmeter.photos import CleanPhoto, PhotoIn
from gezondewijk.store.models import Campaign, Photo

#: The review states of a photo; only ``approved`` is public.
#: Photos one campaign may hold (pending included): a flood cannot fill the database.
MAX_PHOTOS_PER_CAMPAIGN = 2000


def add_photo(session: Session, campaign: Campaign, data: PhotoIn, photo: CleanPhoto) -> Photo:
    """Store a checked photo as ``pending``.

    Raises
    ------
    PhotoLimitError
        When the campaign is full.
    """
    held = session.scalar(select(func.count(Photo.id)).where(Photo.campaign_id == campaign.id))
    if (held or 0) >= MAX_PHOTOS_PER_CAMPAIGN:
        raise PhotoLimitError
    row = Photo(
        campaign_id=campaign.id,
        theme=data.theme,
        caption=data.caption,
        buurtcode=data.buurtcode,
        lat=data.lat,
        lon=data.lon,
        width=photo.width,
        height=photo.height,
        jpeg=photo.jpeg,
        review="pending",
    )
    session.add(row)
    session.flush()
    return row


def photos_of(session: Session, campaign_id: int, review: str | None = None) -> list[Photo]:
    """The campaign's photos (of one review state), newest first, without their pixels."""
    query = select(Photo).where(Photo.campaign_id == campaign_id)
    if review is not None:
        query = query.where(Photo.review == review)
    return list(session.scalars(query.order_by(Photo.id.desc())))


def approved_in_buurt(session: Session, buurtcode: str, limit: int = 24) -> list[tuple[Photo, str]]:
    """Approved photos placed in a buurt, over every campaign, newest first.

    Each comes with its campaign's code: its address is ``/c/{code}/foto/{id}.jpg``.
    """
    query = (
        select(Photo, Campaign.code)
        .join(Campaign, Campaign.id == Photo.campaign_id)
        .where(Photo.buurtcode == buurtcode, Photo.review == "approved")
        .order_by(Photo.id.desc())
        .limit(limit)
    )
    return [(photo, str(code)) for photo, code in session.execute(query).all()]


def review_photo(session: Session, campaign_id: int, photo_id: int, decision: str) -> bool:
    """Approve or reject one photo of this campaign; ``False`` when there is no such photo."""
    if decision not in REVIEWS:
        return False
    photo = session.get(Photo, photo_id)
    if photo is None or photo.campaign_id != campaign_id:
        return False
    photo.review = decision
    return True


def delete_photos(session: Session, campaign_id: int) -> None:
    """Delete every photo of a campaign."""
    session.execute(delete(Photo).where(Photo.campaign_id == campaign_id))
